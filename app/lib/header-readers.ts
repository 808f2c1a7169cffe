/**
 * Streaming readers of the dimensions of the formats whose header may lie anywhere in the file:
 * a TIFF's first directory (IFD) is wherever its header points, often after the pixel data
 * (tiffcp, ImageMagick and libvips write it last, measured; GIMP too, as issue 10 reports); a
 * HEIF/AVIF `meta` box may follow a large `mdat`; a JPEG frame header may sit behind megabytes
 * of APP segments; a GIF's first frame, which may be larger than its logical screen, behind
 * extension blocks. Each reader skips what it does not need and holds only the few bytes it
 * reads, so it can watch a whole upload with bounded memory.
 */
import { WalkerDriver, type Need, type Walker } from './byte-walker.js'
import type { Dimensions } from './dimensions.js'
import { colorTableBytes, nextJpegMarker, STANDALONE_JPEG_MARKERS } from './image-structure.js'

/**
 * The file breaks its format's rules (a structure problem: CORRUPT_IMAGE), as opposed to a
 * well-formed file that does not give its size (UNREADABLE_IMAGE).
 */
export class Malformed extends Error {}

/** What a reader knows before it is done: the image is at least this large. */
interface Bound { atLeast?: Dimensions }

const READERS: Record<string, (bound: Bound) => Walker<Dimensions>> = {
  'image/tiff': tiff,
  'image/jpeg': jpeg,
  'image/gif': gif,
  'image/avif': isoBmff,
  'image/heic': isoBmff,
  'image/heif': isoBmff
}

export class DimensionReader extends WalkerDriver<Dimensions> {
  readonly bound: Bound

  constructor (make: (bound: Bound) => Walker<Dimensions>) {
    const bound: Bound = {}
    super(make(bound))
    this.bound = bound
  }

  /** A size the image has at least, known before the reader is done (a GIF's logical screen). */
  get atLeast (): Dimensions | undefined { return this.bound.atLeast }
}

/** A reader for the type, or undefined for formats whose dimensions sit at a fixed place in the first bytes. */
export function dimensionReader (contentType: string): DimensionReader | undefined {
  const make = READERS[contentType]
  return make && new DimensionReader(make)
}

const TIFF_WIDTH = 256
const TIFF_LENGTH = 257
/** libtiff's own bound on the entries of one directory. */
const MAX_TIFF_ENTRIES = 65535

function * tiff (): Walker<Dimensions> {
  const header = yield { read: 8 }
  const le = header.toString('latin1', 0, 2) === 'II'
  const u16 = (b: Buffer, at: number): number => le ? b.readUInt16LE(at) : b.readUInt16BE(at)
  const u32 = (b: Buffer, at: number): number => le ? b.readUInt32LE(at) : b.readUInt32BE(at)
  const u64 = (b: Buffer, at: number): number => Number(le ? b.readBigUInt64LE(at) : b.readBigUInt64BE(at))
  const version = u16(header, 2)
  if (version !== 42 && version !== 43) throw new Malformed(`its TIFF version is ${version}, neither 42 (TIFF) nor 43 (BigTIFF)`)
  const big = version === 43
  if (big && (u16(header, 4) !== 8 || u16(header, 6) !== 0)) throw new Malformed('its BigTIFF header is invalid')
  const headerSize = big ? 16 : 8
  const ifdOffset = big ? u64(yield { read: 8 }, 0) : u32(header, 4)
  if (ifdOffset < headerSize) throw new Malformed(`its first directory offset (${ifdOffset}) points into the header`)
  yield { skip: ifdOffset - headerSize }

  const entries = big ? u64(yield { read: 8 }, 0) : u16(yield { read: 2 }, 0)
  if (entries > MAX_TIFF_ENTRIES) throw new Malformed(`its first directory claims ${entries} entries`)
  const found: Partial<Record<number, number>> = {}
  for (let i = 0; i < entries && (found[TIFF_WIDTH] === undefined || found[TIFF_LENGTH] === undefined); i++) {
    const entry = yield { read: big ? 20 : 12 }
    const tag = u16(entry, 0)
    if (tag !== TIFF_WIDTH && tag !== TIFF_LENGTH) continue
    // Both tags hold one value, which always fits in the entry itself.
    const type = u16(entry, 2)
    const at = big ? 12 : 8
    if (type === 3) found[tag] = u16(entry, at)
    else if (type === 4) found[tag] = u32(entry, at)
    else if (type === 16 && big) found[tag] = u64(entry, at)
    else throw new Error(`its ${tag === TIFF_WIDTH ? 'ImageWidth' : 'ImageLength'} entry has type ${type}, not SHORT or LONG`)
  }
  const width = found[TIFF_WIDTH]
  const height = found[TIFF_LENGTH]
  if (!width || !height) throw new Error('its first directory gives no ImageWidth and ImageLength')
  return { width, height }
}

/** SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC), which share the range. */
const JPEG_FRAME_MARKERS = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf])

function * jpeg (): Walker<Dimensions> {
  yield { skip: 2 }
  for (;;) {
    const marker = yield * nextJpegMarker()
    if (marker === 0xda) throw new Error('its image data comes before any frame header')
    if (marker === 0xd9) throw new Error('its end marker comes before any frame header')
    if (STANDALONE_JPEG_MARKERS.has(marker)) continue
    const length = (yield { read: 2 }).readUInt16BE(0)
    if (length < 2) throw new Malformed('a segment length is invalid')
    if (!JPEG_FRAME_MARKERS.has(marker)) {
      yield { skip: length - 2 }
      continue
    }
    if (length < 7) throw new Malformed('its frame header is too short')
    const frame = yield { read: 5 }
    const height = frame.readUInt16BE(1)
    const width = frame.readUInt16BE(3)
    // Height 0 defers it to a DNL marker after the first scan, which libjpeg does not read either.
    if (!width || !height) throw new Error(`its frame header gives ${width}x${height} pixels`)
    return { width, height }
  }
}

/**
 * The canvas libvips decodes: the logical screen, grown to hold the first frame (libnsgif lets
 * the first frame, and only it, enlarge the canvas; later frames are clipped).
 */
function * gif (bound: Bound): Walker<Dimensions> {
  const screen = yield { read: 13 }
  let width = screen.readUInt16LE(6)
  let height = screen.readUInt16LE(8)
  bound.atLeast = { width, height }
  yield { skip: colorTableBytes(screen.readUInt8(10)) }
  for (;;) {
    const introducer = (yield { read: 1 }).readUInt8(0)
    if (introducer === 0x3b) throw new Error('it ends before its first frame')
    if (introducer === 0x2c) {
      const frame = yield { read: 9 }
      width = Math.max(width, frame.readUInt16LE(0) + frame.readUInt16LE(4))
      height = Math.max(height, frame.readUInt16LE(2) + frame.readUInt16LE(6))
      if (!width || !height) throw new Error(`its first frame is ${width}x${height} pixels`)
      return { width, height }
    }
    if (introducer !== 0x21) throw new Malformed(`byte 0x${introducer.toString(16).padStart(2, '0')} stands where a block should start`)
    yield { skip: 1 }
    for (let size = (yield { read: 1 }).readUInt8(0); size !== 0; size = (yield { read: 1 }).readUInt8(0)) {
      yield { skip: size }
    }
  }
}

/**
 * The largest `ispe` (image spatial extent) among the item properties in meta/iprp/ipco, as
 * image-size reports it: the primary image of a grid is larger than its tiles and thumbnails.
 */
function * isoBmff (): Walker<Dimensions> {
  const meta = yield * findBox(Infinity, 'meta', true)
  if (meta === undefined) throw new Error('it has no meta box')
  yield { skip: 4 } // FullBox version and flags
  const iprp = yield * findBox(meta - 4, 'iprp')
  if (iprp === undefined) throw new Error('its meta box has no item properties (iprp)')
  const ipco = yield * findBox(iprp, 'ipco')
  if (ipco === undefined) throw new Error('its item properties have no ipco box')
  let largest: Dimensions | undefined
  for (let left = ipco; left >= 8;) {
    const box = yield * boxHeader(left)
    left -= box.headerSize + box.size
    if (box.type !== 'ispe' || box.size < 12) {
      yield { skip: box.size }
      continue
    }
    const ispe = yield { read: 12 }
    yield { skip: box.size - 12 }
    const width = ispe.readUInt32BE(4)
    const height = ispe.readUInt32BE(8)
    if (!largest || width * height > largest.width * largest.height) largest = { width, height }
  }
  if (!largest || !largest.width || !largest.height) throw new Error('it declares no image size (ispe)')
  return largest
}

/**
 * Walks the boxes of a container holding `length` bytes (Infinity: the rest of the file) up to
 * the first of the given type; returns the length of its payload, leaving the walk at its start.
 */
function * findBox (length: number, type: string, topLevel = false): Generator<Need, number | undefined, Buffer> {
  for (let left = length; left >= 8;) {
    const box = yield * boxHeader(left, topLevel)
    if (!box.type) return undefined
    if (box.type === type) return box.size
    if (box.toEnd) return undefined // nothing follows it
    yield { skip: box.size }
    left -= box.headerSize + box.size
  }
  return undefined
}

interface BoxHeader { type: string, size: number, headerSize: number, toEnd?: boolean }

/** The next box's type and payload size; type '' when a top-level walk meets the end of the file. */
function * boxHeader (left: number, topLevel = false): Generator<Need, BoxHeader, Buffer> {
  const header = yield { read: 8, endOk: topLevel }
  if (header.length === 0) return { type: '', size: 0, headerSize: 0 }
  const toEnd = header.readUInt32BE(0) === 0
  let size = header.readUInt32BE(0)
  const type = header.toString('latin1', 4, 8)
  let headerSize = 8
  if (size === 1) {
    size = Number((yield { read: 8 }).readBigUInt64BE(0))
    headerSize = 16
  } else if (size === 0) {
    // The box runs to the end of its container (of the file, at the top level).
    size = left === Infinity ? Number.MAX_SAFE_INTEGER : left
  }
  if (size < headerSize || size > left) throw new Malformed(`its ${JSON.stringify(type)} box has an invalid size`)
  return { type, size: size - headerSize, headerSize, toEnd }
}
