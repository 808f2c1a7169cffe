import { AppError } from './errors.js'

/** Errors of the read side and of deletion. */
export const imageErrors = {
  invalidCursor: () =>
    new AppError(400, 'INVALID_CURSOR', 'The cursor is not one this service issued: pass nextCursor from the previous page unchanged, or start again without a cursor.'),
  deleteRightMissing: () =>
    new AppError(403, 'FORBIDDEN', 'Deleting an image needs the deleteToken from its upload response (header x-delete-token) or an admin API key (header x-api-key); nothing was deleted.'),
  deleteRightWrong: () =>
    new AppError(403, 'FORBIDDEN', 'The delete token or API key does not allow deleting this image; nothing was deleted.'),
  notReady: (variant: string) =>
    new AppError(404, 'NOT_READY', `The image is still being processed: its ${variant} version is not ready yet. Try again in a few seconds.`, 2),
  rejected: (reason: string | undefined) =>
    new AppError(404, 'NOT_FOUND', `The upload was rejected, so no file was kept${reason ? `: ${reason}` : '.'}`),
  noVariant: (variant: string, reason: string | undefined) =>
    new AppError(404, 'NOT_FOUND', `The image could not be processed, so it has no ${variant} version${reason ? `: ${reason}` : ''}. The original is still available.`)
}

export const deleteErrors = {
  incomplete: () =>
    new AppError(503, 'DELETE_INCOMPLETE', 'Image storage or the image index is unavailable: the image is hidden but not fully deleted yet. Send the same DELETE again.', 5)
}
