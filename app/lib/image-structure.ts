/**
 * Streaming checks that an image's container is whole: every chunk, block, segment or box it
 * declares is present, up to the format's end marker. They catch truncated uploads and files
 * that only borrow an image's first bytes (a GIF header followed by script). Trailing bytes
 * after the end marker are allowed (cameras append video to JPEGs). Cost: a few comparisons per
 * chunk header; pixel data is skipped, never decoded.
 */

import { WalkerDriver, type Need, type Walker } from './byte-walker.js'

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

/** False for formats whose structure is not walked (TIFF: its directories may point anywhere). */
export const hasStructureCheck = (contentType: string): boolean => contentType in WALKERS

export function checkStructure (contentType: string): StructureCheck {
  const make = WALKERS[contentType]
  if (!make) return { push: () => undefined, end: () => undefined }
  const driver = new WalkerDriver(make())
  return {
    push: (chunk) => { driver.push(chunk); return driver.problem },
    end: () => { driver.end(); return driver.problem }
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

export const STANDALONE_JPEG_MARKERS = new Set([0x01, 0xd8])

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
export function * nextJpegMarker (): Generator<Need, number, Buffer> {
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

export const colorTableBytes = (flags: number): number => (flags & 0x80) ? 3 * 2 ** ((flags & 7) + 1) : 0

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
