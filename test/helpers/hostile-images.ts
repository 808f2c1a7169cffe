/**
 * Decompression bombs built in code: small files whose headers ask a decoder for far more work
 * than their bytes justify (issue 15). The HEIC one is a committed fixture (heif-enc cannot
 * write grids; test/corpus/heif-grid.ts assembled it from 400 copies of a flat 512x512 tile).
 */
import { crc32, deflateSync } from 'node:zlib'
import { fixture } from './multipart.js'

/** A BI_RLE8 BMP of width x height whose pixel data is only the end-of-bitmap escape (64 bytes). */
export function rle8BmpBomb (width: number, height: number): Buffer {
  const bytes = Buffer.alloc(64)
  bytes.write('BM', 0, 'latin1')
  bytes.writeUInt32LE(bytes.length, 2)
  bytes.writeUInt32LE(62, 10) // pixel data after the two palette entries
  bytes.writeUInt32LE(40, 14)
  bytes.writeInt32LE(width, 18)
  bytes.writeInt32LE(height, 22)
  bytes.writeUInt16LE(1, 26) // planes
  bytes.writeUInt16LE(8, 28) // bits per pixel
  bytes.writeUInt32LE(1, 30) // BI_RLE8
  bytes.writeUInt32LE(2, 34) // pixel data size
  bytes.writeUInt32LE(2, 46) // palette entries
  bytes.set([0, 0, 0, 0, 255, 255, 255, 0], 54)
  bytes.set([0, 1], 62) // end of bitmap
  return bytes
}

/** The same, padded after its end marker to exactly `pixelsPerByte`: the densest an RLE budget admits. */
export function paddedRle8Bmp (width: number, height: number, pixelsPerByte: number): Buffer {
  const bytes = Buffer.concat([rle8BmpBomb(width, height), Buffer.alloc(Math.max(0, Math.ceil(width * height / pixelsPerByte) - 64))])
  bytes.writeUInt32LE(bytes.length, 2)
  return bytes
}

/** A GIF whose logical screen is width x height around one 1x1 frame (35 bytes). */
export function hugeScreenGif (width: number, height: number): Buffer {
  const screen = Buffer.alloc(13)
  screen.write('GIF89a', 0, 'latin1')
  screen.writeUInt16LE(width, 6)
  screen.writeUInt16LE(height, 8)
  screen[10] = 0x80 // a global colour table of 2 entries
  const frame = Buffer.alloc(10)
  frame[0] = 0x2c
  frame.writeUInt16LE(1, 5)
  frame.writeUInt16LE(1, 7)
  const pixels = Buffer.from([2, 2, 0x44, 0x01, 0]) // LZW minimum code size 2: clear, index 0, end
  return Buffer.concat([screen, Buffer.from([0, 0, 0, 255, 255, 255]), frame, pixels, Buffer.from([0x3b])])
}

/** An 8-bit grey PNG of width x height, every row zero: zlib packs 1 x 100,000,000 into 190 KB. */
export function zeroPng (width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data])
    const framed = Buffer.alloc(body.length + 8)
    framed.writeUInt32BE(data.length, 0)
    body.copy(framed, 4)
    framed.writeUInt32BE(crc32(body), body.length + 4)
    return framed
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header.set([8, 0, 0, 0, 0], 8)
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header), chunk('IDAT', deflateSync(Buffer.alloc((width + 1) * height), { level: 9 })), chunk('IEND', Buffer.alloc(0))
  ])
}

/** A 58 KB HEIC whose primary image is a 20x20 grid of 512x512 tiles cropped to 10000x10000. */
export const heicGridBomb = (): Buffer => fixture('heic-grid-100mp.heic')

/** A 25 KB HEIC, a 13x13 grid of flat 512x512 tiles (6656x6656, 44 MP): under every limit, seconds of WASM decoding. */
export const heicGrid44mp = (): Buffer => fixture('heic-grid-44mp.heic')

/** An uncompressed 8-bit palette BMP of width x height (bytes: about width x height): costly for the JavaScript BMP decoder, not a bomb. */
export function plainBmp (width: number, height: number): Buffer {
  const stride = Math.ceil(width / 4) * 4
  const offset = 54 + 256 * 4
  const bytes = Buffer.alloc(offset + stride * height)
  bytes.write('BM', 0, 'latin1')
  bytes.writeUInt32LE(bytes.length, 2)
  bytes.writeUInt32LE(offset, 10)
  bytes.writeUInt32LE(40, 14)
  bytes.writeInt32LE(width, 18)
  bytes.writeInt32LE(height, 22)
  bytes.writeUInt16LE(1, 26)
  bytes.writeUInt16LE(8, 28)
  bytes.writeUInt32LE(stride * height, 34)
  bytes.writeUInt32LE(256, 46)
  for (let i = 0; i < 256; i++) bytes.set([i, i, i, 0], 54 + i * 4)
  for (let i = offset; i < bytes.length; i++) bytes[i] = i & 0xff
  return bytes
}
