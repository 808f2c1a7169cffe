import type { RgbaImage } from './decode-bmp.js'

/**
 * A BI_RLE8 or BI_RLE4 BMP (BITMAPINFOHEADER or later) to RGBA. Decoded as browsers do (Skia's
 * BMP codec): a run past the end of its row is cut there, pixels that a delta skips or that the
 * data never reaches stay transparent, a palette index past the palette leaves its pixel
 * transparent, and damaged or missing data ends the decoding, keeping the rows decoded so far.
 * Only a header that describes no RLE image throws.
 */
export function decodeRle (bytes: Uint8Array): RgbaImage {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (bytes.length < 54) throw new Error('truncated header')
  const headerSize = view.getUint32(14, true)
  const width = view.getInt32(18, true)
  const storedHeight = view.getInt32(22, true)
  const bitsPerPixel = view.getUint16(28, true)
  const compression = view.getUint32(30, true)
  if (headerSize < 40 || width <= 0 || storedHeight === 0 || storedHeight === -0x80000000) throw new Error('invalid header')
  if (bitsPerPixel !== (compression === 1 ? 8 : 4)) throw new Error(`RLE with ${bitsPerPixel} bits a pixel`)
  const height = Math.abs(storedHeight)
  const palette = readPalette(bytes, 14 + headerSize, view.getUint32(10, true), view.getUint32(46, true), bitsPerPixel)
  const data = new Uint8Array(width * height * 4)

  let x = 0
  let line = 0 // rows in the order they are stored: bottom-up unless the height is negative
  const put = (index: number): void => {
    if (x < width && line < height && index < palette.length) data.set(palette[index]!, ((storedHeight > 0 ? height - 1 - line : line) * width + x) * 4)
    x++
  }
  const indexAt = (byte: number, i: number): number => bitsPerPixel === 8 ? byte : (i & 1) ? byte & 15 : byte >> 4

  let at = view.getUint32(10, true)
  while (at + 1 < bytes.length && line < height) {
    const count = bytes[at]!
    const value = bytes[at + 1]!
    at += 2
    if (count > 0) {
      for (let i = 0; i < count; i++) put(indexAt(value, i))
    } else if (value === 0) {
      x = 0
      line++
    } else if (value === 1) {
      break
    } else if (value === 2) {
      if (at + 1 >= bytes.length) break
      x += bytes[at]!
      line += bytes[at + 1]!
      at += 2
    } else {
      const length = bitsPerPixel === 8 ? value : Math.ceil(value / 2)
      if (at + length > bytes.length) break
      for (let i = 0; i < value; i++) put(indexAt(bytes[at + (bitsPerPixel === 8 ? i : i >> 1)]!, i))
      at += length + (length & 1) // absolute runs are padded to 16 bits
    }
  }
  return { width, height, data }
}

/** Palette entries (stored BGRx) as opaque RGBA, as many as the file has room for. */
function readPalette (bytes: Uint8Array, start: number, end: number, used: number, bitsPerPixel: number): Uint8Array[] {
  const count = Math.min(used || 1 << bitsPerPixel, 1 << bitsPerPixel, Math.max(0, Math.floor((Math.min(end, bytes.length) - start) / 4)))
  const palette: Uint8Array[] = []
  for (let i = 0, at = start; i < count; i++, at += 4) palette.push(Uint8Array.of(bytes[at + 2]!, bytes[at + 1]!, bytes[at]!, 255))
  return palette
}
