/**
 * Streaming checks that an image's container is whole: every chunk, block, segment or box it
 * declares is present, up to the format's end marker. They catch truncated uploads and files
 * that only borrow an image's first bytes (a GIF header followed by script). Trailing bytes
 * after the end marker are allowed (cameras append video to JPEGs). Cost: a few comparisons per
 * chunk header; pixel data is skipped, never decoded.
 */

/** What a walker wants next: bytes to look at, bytes to pass over, or the next byte equal to `find`. */
type Need = { read: number, endOk?: boolean } | { skip: number } | { find: number }
/** A walker receives the bytes it asked to read; an empty buffer means the stream ended where endOk allowed it. */
type Walker = Generator<Need, void, Buffer>

const WALKERS: Record<string, () => Walker> = {
  'image/png': png,
  'image/jpeg': jpeg,
  'image/gif': gif,
  'image/webp': webp,
  'image/bmp': bmp,
  'image/avif': isoBmff,
  'image/heic': isoBmff,
  'image/heif': isoBmff
  // image/tiff is not walked: its directories may point anywhere in the file.
}

export interface StructureCheck {
  /** Feeds the next bytes; returns what is wrong as soon as it is known. */
  push: (chunk: Buffer) => string | undefined
  /** Call at the end of the file: returns what is wrong, or undefined for a whole image. */
  end: () => string | undefined
}

export function checkStructure (contentType: string): StructureCheck {
  const make = WALKERS[contentType]
  if (!make) return { push: () => undefined, end: () => undefined }
  return new WalkerDriver(make())
}

class WalkerDriver implements StructureCheck {
  #walker: Walker
  #need: Need | undefined
  #partial: Buffer[] = []
  #partialLength = 0
  #offset = 0
  #problem: string | undefined

  constructor (walker: Walker) {
    this.#walker = walker
    this.#resume(Buffer.alloc(0))
  }

  push (chunk: Buffer): string | undefined {
    let at = 0
    while (this.#need && at < chunk.length) {
      const need = this.#need
      if ('skip' in need) {
        const n = Math.min(need.skip, chunk.length - at)
        need.skip -= n
        at += n
        if (need.skip === 0) this.#resume(Buffer.alloc(0))
      } else if ('find' in need) {
        const found = chunk.indexOf(need.find, at)
        at = found === -1 ? chunk.length : found + 1
        if (found !== -1) this.#resume(chunk.subarray(found, found + 1))
      } else {
        const n = Math.min(need.read - this.#partialLength, chunk.length - at)
        this.#partial.push(chunk.subarray(at, at + n))
        this.#partialLength += n
        at += n
        if (this.#partialLength === need.read) {
          const bytes = Buffer.concat(this.#partial, this.#partialLength)
          this.#partial = []
          this.#partialLength = 0
          this.#resume(bytes)
        }
      }
    }
    this.#offset += chunk.length
    return this.#problem
  }

  end (): string | undefined {
    const need = this.#need
    if (need && 'read' in need && need.endOk && this.#partialLength === 0) this.#resume(Buffer.alloc(0))
    if (this.#problem) return this.#problem
    if (this.#need) return `it ends after ${this.#offset} bytes, before its data does (truncated?)`
    return undefined
  }

  #resume (value: Buffer): void {
    try {
      let next = this.#walker.next(value)
      // A zero-byte skip is satisfied at once, even at the very end of the stream.
      while (!next.done && 'skip' in next.value && next.value.skip === 0) next = this.#walker.next(Buffer.alloc(0))
      this.#need = next.done ? undefined : { ...next.value }
    } catch (err) {
      this.#need = undefined
      this.#problem = (err as Error).message
    }
  }
}

function * png (): Walker {
  yield { skip: 8 }
  for (;;) {
    const header = yield { read: 8 }
    const length = header.readUInt32BE(0)
    const type = header.toString('latin1', 4, 8)
    if (length > 0x7fffffff || !/^[A-Za-z]{4}$/.test(type)) throw new Error('a chunk header is invalid')
    yield { skip: length + 4 }
    if (type === 'IEND') return
  }
}

const STANDALONE_JPEG_MARKERS = new Set([0x01, 0xd8])

function * jpeg (): Walker {
  yield { skip: 2 }
  for (let marker = yield * nextJpegMarker(); marker !== 0xd9; marker = yield * nextJpegMarker()) {
    if (STANDALONE_JPEG_MARKERS.has(marker)) continue
    const length = (yield { read: 2 }).readUInt16BE(0)
    if (length < 2) throw new Error('a segment length is invalid')
    yield { skip: length - 2 }
  }
}

/**
 * The next marker byte, passing over entropy-coded data, byte stuffing (FF 00), restart markers
 * and fill bytes. Lenient like libjpeg: stray bytes between segments are skipped, not refused.
 */
function * nextJpegMarker (): Generator<Need, number, Buffer> {
  for (;;) {
    yield { find: 0xff }
    let byte = (yield { read: 1 }).readUInt8(0)
    while (byte === 0xff) byte = (yield { read: 1 }).readUInt8(0)
    if (byte !== 0x00 && (byte < 0xd0 || byte > 0xd7)) return byte
  }
}

function * gif (): Walker {
  const screen = yield { read: 13 }
  yield { skip: colorTableBytes(screen.readUInt8(10)) }
  for (;;) {
    const introducer = (yield { read: 1 }).readUInt8(0)
    if (introducer === 0x3b) return
    if (introducer === 0x21) {
      yield { skip: 1 }
    } else if (introducer === 0x2c) {
      const descriptor = yield { read: 9 }
      yield { skip: colorTableBytes(descriptor.readUInt8(8)) + 1 }
    } else {
      throw new Error(`byte 0x${introducer.toString(16).padStart(2, '0')} stands where a block should start`)
    }
    for (let size = (yield { read: 1 }).readUInt8(0); size !== 0; size = (yield { read: 1 }).readUInt8(0)) {
      yield { skip: size }
    }
  }
}

const colorTableBytes = (flags: number): number => (flags & 0x80) ? 3 * 2 ** ((flags & 7) + 1) : 0

function * webp (): Walker {
  const size = (yield { read: 12 }).readUInt32LE(4)
  if (size < 4) throw new Error('the RIFF size is invalid')
  yield { skip: size - 4 }
}

function * bmp (): Walker {
  const size = (yield { read: 14 }).readUInt32LE(2)
  // Some writers leave the size field at 0: nothing to check then.
  if (size > 14) yield { skip: size - 14 }
}

function * isoBmff (): Walker {
  for (;;) {
    const header = yield { read: 8, endOk: true }
    if (header.length === 0) return
    let size = header.readUInt32BE(0)
    let headerSize = 8
    if (size === 0) return // the last box runs to the end of the file
    if (size === 1) {
      size = Number((yield { read: 8 }).readBigUInt64BE(0))
      headerSize = 16
    }
    if (size < headerSize) throw new Error('a box size is invalid')
    yield { skip: size - headerSize }
  }
}
