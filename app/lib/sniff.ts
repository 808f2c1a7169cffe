import { fileTypeFromBuffer } from 'file-type'

/** Bytes file-type needs to recognise every format it knows. */
export const SNIFF_BYTES = 4100

// Variants that are the same format for storage and display purposes.
const ALIASES: Record<string, string> = {
  'image/apng': 'image/png',
  'image/heic-sequence': 'image/heic',
  'image/heif-sequence': 'image/heif'
}

/**
 * The content type from the file's magic bytes, never from the client's claim. Unknown binary
 * data is reported as application/octet-stream, so an error message can always name it.
 */
export async function sniffContentType (head: Uint8Array): Promise<string> {
  const detected = await fileTypeFromBuffer(head)
  if (!detected) return 'application/octet-stream'
  return ALIASES[detected.mime] ?? detected.mime
}
