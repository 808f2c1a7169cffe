import { errors } from './errors.js'
import { SNIFF_BYTES, sniffContentType } from './sniff.js'
import { readDimensions, type Dimensions } from './dimensions.js'

/**
 * How far into a file the header probe reads before giving up on finding its dimensions.
 * JPEG headers sit behind EXIF, ICC and XMP segments; 1 MiB covers them in practice. A TIFF
 * whose directory is written after the pixel data, beyond this point, is refused as unreadable.
 */
export const HEADER_PROBE_LIMIT = 1024 * 1024

export interface ImageRules {
  filename: string
  allowedTypes: readonly string[]
  maxPixels: number
}

export interface ImageHead extends Dimensions {
  contentType: string
  /** The bytes read so far: they still have to be stored, in front of the rest of the stream. */
  bytes: Buffer
  /** True when the whole file was read while probing. */
  ended: boolean
}

/**
 * Reads just enough of a file to accept or refuse it before anything is stored: the sniffed
 * type must be allowed and the header must give dimensions within the pixel limit. Memory is
 * bounded by HEADER_PROBE_LIMIT; the caller keeps consuming `chunks` for the rest of the file.
 */
export async function readImageHead (chunks: AsyncIterator<Buffer>, rules: ImageRules): Promise<ImageHead> {
  let buffered: Buffer[] = []
  let size = 0
  let ended = false
  let contentType: string | undefined
  let probeAt = SNIFF_BYTES

  for (;;) {
    const next = await chunks.next()
    if (next.done) ended = true
    else {
      buffered.push(next.value)
      size += next.value.length
    }
    if (ended && size === 0) throw errors.emptyFile(rules.filename)
    if (!ended && size < probeAt) continue

    const bytes = Buffer.concat(buffered, size)
    buffered = [bytes]
    contentType ??= await sniffContentType(bytes)
    if (!rules.allowedTypes.includes(contentType)) {
      throw errors.unsupportedType(rules.filename, contentType, rules.allowedTypes)
    }
    const dimensions = readDimensions(bytes)
    if (dimensions) {
      if (dimensions.width * dimensions.height > rules.maxPixels) {
        throw errors.tooManyPixels(rules.filename, dimensions.width, dimensions.height, rules.maxPixels)
      }
      return { contentType, bytes, ended, ...dimensions }
    }
    if (ended || size >= HEADER_PROBE_LIMIT) throw errors.unreadableImage(rules.filename)
    probeAt = Math.min(size * 2, HEADER_PROBE_LIMIT)
  }
}
