import { imageSize } from 'image-size'

export interface Dimensions { width: number, height: number }

/**
 * Width and height from the image header, or undefined while the bytes seen so far do not
 * reach it. Reads only headers: no pixel is decoded, so a decompression bomb costs nothing here.
 */
export function readDimensions (head: Uint8Array): Dimensions | undefined {
  const core = coreBmpDimensions(head)
  if (core) return core
  try {
    const { width, height } = imageSize(exactBytes(head))
    if (width > 0 && height > 0) return { width, height }
  } catch {
    // Header not complete yet, or not a format image-size reads.
  }
  return undefined
}

/**
 * image-size reads through `new DataView(input.buffer, input.byteOffset)`, ignoring the
 * view's length: on a Buffer carved from Node's shared pool, a truncated header would be
 * "completed" with whatever bytes follow in the pool. Give it memory that ends where the data does.
 */
function exactBytes (bytes: Uint8Array): Uint8Array {
  if (bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.byteLength) return bytes
  return new Uint8Array(bytes)
}

/**
 * A BMP with the 12-byte BITMAPCOREHEADER (OS/2 1.x, Windows 2.x; ImageMagick's BMP2) keeps its
 * size in two 16-bit fields, which image-size reads as one 32-bit width (64x48 became 3145792x1572865).
 */
function coreBmpDimensions (head: Uint8Array): Dimensions | undefined {
  if (head.length < 22 || head[0] !== 0x42 || head[1] !== 0x4d) return undefined
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength)
  if (view.getUint32(14, true) !== 12) return undefined
  const width = view.getUint16(18, true)
  const height = view.getUint16(20, true)
  return width > 0 && height > 0 ? { width, height } : undefined
}
