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
  if (detected) {
    const type = ALIASES[detected.mime] ?? detected.mime
    return type === 'image/heif' || type === 'video/mp4' ? imageBrand(head) ?? type : type
  }
  // file-type follows a TIFF's directory offset to tell camera raw formats (CR2, NEF, DNG...)
  // from TIFF, and gives up when the directory lies past the bytes it was given, which is where
  // libtiff, ImageMagick and libvips write it. The magic bytes alone say TIFF.
  if (TIFF_MAGIC.includes(Buffer.from(head.subarray(0, 4)).toString('hex'))) return 'image/tiff'
  return 'application/octet-stream'
}

/**
 * file-type decides an ISO BMFF file by its major brand alone: an AVIF whose major brand is the
 * generic `mif1` would be a HEIF (and go to the HEVC decoder), one with `miaf` an MP4 video.
 * The compatible brands, in the same ftyp box, say which image format it is.
 */
function imageBrand (head: Uint8Array): string | undefined {
  const bytes = Buffer.from(head.buffer, head.byteOffset, head.byteLength)
  if (bytes.length < 16 || bytes.toString('latin1', 4, 8) !== 'ftyp') return undefined
  const end = Math.min(bytes.readUInt32BE(0), bytes.length)
  const brands = new Set<string>()
  for (let at = 16; at + 4 <= end; at += 4) brands.add(bytes.toString('latin1', at, at + 4))
  if (brands.has('avif') || brands.has('avis')) return 'image/avif'
  if (brands.has('heic') || brands.has('heix')) return 'image/heic'
  if (brands.has('mif1') || brands.has('msf1')) return 'image/heif'
  return undefined
}
