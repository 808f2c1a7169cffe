import { errors } from './errors.js'
import { SNIFF_BYTES, sniffContentType } from './sniff.js'
import { readDimensions, type Dimensions } from './dimensions.js'
import { checkPixels, DimensionWatch, type PixelRules } from './dimension-watch.js'
import { dimensionReader } from './header-readers.js'

/**
 * How far into a file the header probe reads before deciding. JPEG headers sit behind EXIF, ICC
 * and XMP segments; 1 MiB covers them in practice. Formats whose header may come later (a TIFF
 * directory written after the pixels, a HEIF `meta` box after `mdat`, a JPEG frame header behind
 * more APP segments) are accepted provisionally past this point and watched to the end.
 */
export const HEADER_PROBE_LIMIT = 1024 * 1024

export interface ImageRules {
  filename: string
  allowedTypes: readonly string[]
  maxPixels: number
}

interface HeadBytes {
  contentType: string
  /** The bytes read so far: they still have to be stored, in front of the rest of the stream. */
  bytes: Buffer
  /** True when the whole file was read while probing. */
  ended: boolean
}

/**
 * Either the dimensions, already within the pixel limit, or (`late`) the watch that must be fed
 * the rest of the file: it throws as soon as the dimensions are over the limit or the file ends
 * without them, so the caller can refuse the file before its last byte is stored.
 */
export type ImageHead = HeadBytes & ((Dimensions & { late?: undefined }) | { late: DimensionWatch })

/**
 * Reads just enough of a file to accept or refuse it before anything is stored: the sniffed
 * type must be allowed and the header must give dimensions within the pixel limit, or, for a
 * format whose header may come later and is not in the first HEADER_PROBE_LIMIT bytes, the
 * returned `late` watch must be fed the rest. Memory is bounded by HEADER_PROBE_LIMIT (plus one
 * chunk); the caller keeps consuming `chunks` for the rest of the file.
 */
export async function readImageHead (chunks: AsyncIterator<Buffer>, rules: ImageRules): Promise<ImageHead> {
  const head = new HeadBuffer(chunks)
  await head.readUntil(SNIFF_BYTES)
  if (head.size === 0) throw errors.emptyFile(rules.filename)
  const contentType = await sniffContentType(head.bytes())
  if (!rules.allowedTypes.includes(contentType)) {
    throw errors.unsupportedType(rules.filename, contentType, rules.allowedTypes)
  }
  const reader = dimensionReader(contentType)
  return reader
    ? watchHead(head, contentType, new DimensionWatch(contentType, reader, rules))
    : probeHead(head, contentType, rules)
}

/** Formats with a streaming reader: read up to the probe limit, then go on provisionally. */
async function watchHead (head: HeadBuffer, contentType: string, watch: DimensionWatch): Promise<ImageHead> {
  let dimensions = watch.push(head.bytes())
  while (!dimensions && !head.ended && head.size < HEADER_PROBE_LIMIT) {
    const chunk = await head.readChunk()
    if (chunk) dimensions = watch.push(chunk)
  }
  if (!dimensions && head.ended) dimensions = watch.end()
  const bytes = { contentType, bytes: head.bytes(), ended: head.ended }
  return dimensions ? { ...bytes, ...dimensions } : { ...bytes, late: watch }
}

/** Formats whose dimensions sit at a fixed place near the start, read by image-size. */
async function probeHead (head: HeadBuffer, contentType: string, rules: ImageRules): Promise<ImageHead> {
  for (;;) {
    const dimensions = readDimensions(head.bytes())
    if (dimensions) {
      checkPixels(dimensions, rules)
      return { contentType, bytes: head.bytes(), ended: head.ended, ...dimensions }
    }
    if (head.ended || head.size >= HEADER_PROBE_LIMIT) {
      throw errors.unreadableImage(rules.filename, contentType, head.ended
        ? `the file ends after ${head.size} bytes, before its dimensions`
        : `its dimensions are not in its first ${HEADER_PROBE_LIMIT} bytes`)
    }
    await head.readUntil(Math.min(head.size * 2, HEADER_PROBE_LIMIT))
  }
}

/**
 * The dimensions of a file already stored, held to the pixel limit, from its `first` bytes, or,
 * for a format whose header may come later, from `readFrom(offset)`, which streams the file from
 * the first byte the reader still needs: a TIFF directory at the end costs one short read, not
 * the whole file. Throws TOO_MANY_PIXELS, UNREADABLE_IMAGE or CORRUPT_IMAGE like readImageHead.
 */
export async function storedImageDimensions (
  contentType: string,
  file: { first: Buffer, size: number },
  rules: PixelRules,
  readFrom: (offset: number) => AsyncIterable<Buffer>
): Promise<Dimensions> {
  const reader = dimensionReader(contentType)
  if (!reader) {
    const dimensions = readDimensions(file.first)
    if (!dimensions) throw errors.unreadableImage(rules.filename, contentType, `its dimensions are not in its first ${file.first.length} bytes`)
    checkPixels(dimensions, rules)
    return dimensions
  }
  const watch = new DimensionWatch(contentType, reader, rules)
  const found = watch.push(file.first)
  if (found) return found
  const from = watch.wantsOffset
  if (file.first.length >= file.size || from >= file.size) return watch.end(file.size)
  watch.skipTo(from)
  for await (const chunk of readFrom(from)) {
    const late = watch.push(chunk)
    if (late) return late
  }
  return watch.end()
}

/** The bytes read from the file so far, kept to be stored in front of the rest. */
class HeadBuffer {
  #chunks: Buffer[] = []
  size = 0
  ended = false

  constructor (private readonly source: AsyncIterator<Buffer>) {}

  async readChunk (): Promise<Buffer | undefined> {
    const next = await this.source.next()
    if (next.done) {
      this.ended = true
      return undefined
    }
    this.#chunks.push(next.value)
    this.size += next.value.length
    return next.value
  }

  async readUntil (size: number): Promise<void> {
    while (!this.ended && this.size < size) await this.readChunk()
  }

  bytes (): Buffer {
    if (this.#chunks.length !== 1) this.#chunks = [Buffer.concat(this.#chunks, this.size)]
    return this.#chunks[0]!
  }
}
