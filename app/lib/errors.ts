/**
 * Every error a client can cause or see, with a stable code. The error handler turns these
 * into `{ statusCode, error, code, message }` bodies; anything else becomes an opaque 500.
 */
export class AppError extends Error {
  override name = 'AppError'
  constructor (
    readonly statusCode: number,
    readonly code: string,
    message: string,
    /** Seconds a client should wait before retrying (sent as Retry-After). */
    readonly retryAfter?: number
  ) {
    super(message)
  }
}

export const errors = {
  malformedMultipart: (detail: string) =>
    new AppError(400, 'MULTIPART_MALFORMED', `The multipart body could not be parsed: ${detail}.`),
  noFile: () =>
    new AppError(400, 'NO_FILE', 'No file was sent: add the image in a multipart field named "file".'),
  emptyFile: (filename: string) =>
    new AppError(400, 'EMPTY_FILE', `The file "${filename}" is empty.`),
  fileTooLarge: (filename: string, limit: number) =>
    new AppError(413, 'FILE_TOO_LARGE', `The file "${filename}" is larger than the limit of ${limit} bytes.`),
  tooManyFiles: (limit: number) =>
    new AppError(413, 'TOO_MANY_FILES', `Too many files: at most ${limit} per request.`),
  tooManyFields: (limit: number) =>
    new AppError(413, 'TOO_MANY_FIELDS', `Too many form fields: at most ${limit} per request.`),
  tooManyParts: () =>
    new AppError(413, 'TOO_MANY_PARTS', 'Too many parts in the multipart body.'),
  notMultipart: () =>
    new AppError(415, 'NOT_MULTIPART', 'Send the image as multipart/form-data with a field named "file".'),
  unsupportedType: (filename: string, detected: string, allowed: readonly string[]) =>
    new AppError(415, 'UNSUPPORTED_TYPE', `The file "${filename}" is not an allowed image: detected ${detected}. Allowed: ${allowed.join(', ')}.`),
  tooManyPixels: (filename: string, width: number, height: number, limit: number) =>
    new AppError(422, 'TOO_MANY_PIXELS', `The image "${filename}" is ${width}x${height} pixels, over the limit of ${limit} pixels.`),
  unreadableImage: (filename: string, contentType: string, problem: string) =>
    new AppError(422, 'UNREADABLE_IMAGE', `The image "${filename}" (detected ${contentType}) has no readable header: ${problem}.`),
  decodeTooCostly: (filename: string, problem: string) =>
    new AppError(422, 'DECODE_TOO_COSTLY', `The image "${filename}" would cost too much to decode: ${problem}. Send it as JPEG, PNG or WebP, or with fewer pixels.`),
  corruptImage: (filename: string, contentType: string, problem: string) =>
    new AppError(422, 'CORRUPT_IMAGE', `The image "${filename}" is not a whole ${contentType} file: ${problem}.`),
  storageUnavailable: () =>
    new AppError(503, 'STORAGE_UNAVAILABLE', 'Image storage is unavailable; nothing was stored. Try again shortly.', 5),
  metadataUnavailable: () =>
    new AppError(503, 'METADATA_UNAVAILABLE', 'The image index is unavailable; nothing was stored. Try again shortly.', 5),
  rateLimited: (max: number, retryAfterSeconds: number) =>
    new AppError(429, 'RATE_LIMITED', `Too many requests: at most ${max} in this window. Try again in ${retryAfterSeconds} seconds.`, retryAfterSeconds),
  notFound: (what: string) =>
    new AppError(404, 'NOT_FOUND', `${what} was not found.`)
}

export const requestErrors = {
  // The parser leaves the name undefined when a part has none, whatever its types say.
  unexpectedFileField: (field: string | undefined) =>
    new AppError(400, 'UNEXPECTED_FIELD', field === undefined
      ? 'Files go in the field named "file"; this request sent one without a field name.'
      : `Files go in the field named "file"; this request sent one in "${field.slice(0, 100)}".`),
  clientClosed: () =>
    new AppError(400, 'CLIENT_CLOSED', 'The request ended before the upload was complete; nothing was stored.')
}
