import { decode } from 'bmpimagejs'
import { decodeRle } from './decode-bmp-rle.js'

export interface RgbaImage { width: number, height: number, data: Uint8Array }

const BI_RLE8 = 1
const BI_RLE4 = 2

/**
 * A BMP file to RGBA (alpha 255 where the file has none). bmpimagejs, a port of the BMP decoder
 * of the NetSurf browser (libnsbmp), covers every header (OS/2 core to v5), bit depth and
 * bitfield layout, bottom-up and top-down. Its RLE decoder rejects the end-of-line marker that
 * ImageMagick and Windows write after the last row, and any damage at all, where browsers
 * and ImageMagick show what they could decode: RLE is decoded by decodeRle instead.
 * Throws on a file it cannot decode. The pixels are allocated once, by the decoder.
 */
export function decodeBmp (bytes: Uint8Array): RgbaImage {
  const compression = bytes.length >= 34 && readUint32(bytes, 14) >= 40 ? readUint32(bytes, 30) : 0
  if (compression === BI_RLE8 || compression === BI_RLE4) return decodeRle(bytes)
  // bmpimagejs reads from the start of the ArrayBuffer it is given (a Buffer's may be a shared pool).
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
  const image = decode(whole ? bytes.buffer as ArrayBuffer : new Uint8Array(bytes).buffer)
  const { width, height, pixels } = image
  return { width, height, data: new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength) }
}

function readUint32 (bytes: Uint8Array, at: number): number {
  return (bytes[at]! | bytes[at + 1]! << 8 | bytes[at + 2]! << 16 | bytes[at + 3]! << 24) >>> 0
}
