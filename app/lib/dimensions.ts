import { imageSize } from 'image-size'

export interface Dimensions { width: number, height: number }

/**
 * Width and height from the image header, or undefined while the bytes seen so far do not
 * reach it. Reads only headers: no pixel is decoded, so a decompression bomb costs nothing here.
 */
export function readDimensions (head: Uint8Array): Dimensions | undefined {
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
