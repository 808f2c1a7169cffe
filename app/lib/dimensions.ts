import { imageSize } from 'image-size'

export interface Dimensions { width: number, height: number }

/**
 * Width and height from the image header, or undefined while the bytes seen so far do not
 * reach it. Reads only headers: no pixel is decoded, so a decompression bomb costs nothing here.
 */
export function readDimensions (head: Uint8Array): Dimensions | undefined {
  try {
    const { width, height } = imageSize(head)
    if (width > 0 && height > 0) return { width, height }
  } catch {
    // Header not complete yet, or not a format image-size reads.
  }
  return undefined
}
