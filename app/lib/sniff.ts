import { fileTypeFromBuffer } from 'file-type'

/** Bytes file-type needs to recognise every format it knows. */
export const SNIFF_BYTES = 4100

// Variants that are the same format for storage and display purposes.
const ALIASES: Record<string, string> = {
  'image/apng': 'image/png',
  'image/heic-sequence': 'image/heic',
  'image/heif-sequence': 'image/heif'
}

/** Byte order, version 42 (TIFF) or 43 (BigTIFF). */
const TIFF_MAGIC = ['49492a00', '4d4d002a', '49492b00', '4d4d002b']

/**
 * The content type from the file's magic bytes, never from the client's claim. Unknown binary
 * data is reported as application/octet-stream, so an error message can always name it.
 */
export async function sniffContentType (head: Uint8Array): Promise<string> {
  const detected = await fileTypeFromBuffer(head)
  if (detected) return ALIASES[detected.mime] ?? detected.mime
  // file-type follows a TIFF's directory offset to tell camera raw formats (CR2, NEF, DNG...)
  // from TIFF, and gives up when the directory lies past the bytes it was given, which is where
  // libtiff, GIMP and ImageMagick write it. The magic bytes alone say TIFF.
  if (TIFF_MAGIC.includes(Buffer.from(head.subarray(0, 4)).toString('hex'))) return 'image/tiff'
  return 'application/octet-stream'
}
