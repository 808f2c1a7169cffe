/**
 * How much decoding work an upload may ask for, beyond MAX_PIXELS: limits for the decoders that
 * are not libvips' own, and declared pixels per byte of file where a format's compression lets a
 * small file declare a canvas the decoder then fills. Measured on the 2-core machine this was
 * written on, loaded (load average ~15: read the times as upper figures), each decode +
 * renderVariants in a fresh process (time, VmHWM):
 *
 * - BMP is decoded in JavaScript (decode-bmp.ts: bmpimagejs, and an RLE decoder), synchronously,
 *   to RGBA: 4 bytes a pixel before sharp copies it. The 64-byte RLE8 declaring 100 MP of the issue
 *   took 10 s and 1.4 GB through bmp-ts; through today's decoder + renderVariants 2.7 s and
 *   513 MiB; a 25 MP uncompressed BMP 2.3 s, 248 MiB. BMP_MAX_PIXELS = 25 MP bounds that, and
 *   still admits every uncompressed 24-bit BMP either upload limit lets through (25 MP is 75 MB).
 * - RLE BMP: a run codes at most 255 pixels in 2 bytes (127.5 px/byte); only the delta and
 *   end-of-line/end-of-bitmap escapes go further, and the pixels they skip are undefined. So a
 *   real RLE file stays under RLE_BMP_MAX_PIXELS_PER_BYTE = 256, with room to spare.
 * - HEIC/HEIF goes through heic-decode (libheif in WASM): a 16 MP grid 6.0 s, 285 MiB; a 100 MP
 *   grid of 58 KB 27 s, 995 MiB. HEIF_MAX_PIXELS = 50 MP admits 48 MP phone photos (8064x6048).
 *   No per-byte rule: a flat 12 MP HEVC image is 3 KB (3,900 px/byte), denser than that bomb.
 *   libheif itself refuses grids that reuse a tile or leave it uncovered, and an ispe larger
 *   than the coded image, cheaply (under 1.5 s, 120 MiB, mostly compiling the WASM).
 * - GIF: libvips decodes every frame onto the whole canvas (a one-colour 5000x5000 GIF of 17 KB:
 *   2.6 s, 211 MiB; a 1000x1000 screen around a 1x1 frame is rendered 1000x1000, though a
 *   10000x10000 one came out 1x1 in 6 ms). LZW codes at most ~1,400 px/byte (that 5000x5000 GIF:
 *   1,473), so GIF_MAX_PIXELS_PER_BYTE = 2,048 of the canvas the upload check reads (screen grown
 *   to hold the first frame) refuses a huge screen around a small frame and no real GIF.
 * - PNG, JPEG, TIFF, WebP: libvips streams them, so MAX_PIXELS bounds the cost (100 MP from
 *   under 300 KB: PNG 1.0 s, 226 MiB; deflate TIFF 2.0 s, 154 MiB; lossless WebP 4 KB 2.2 s,
 *   147 MiB); libpng refuses over 1,000,000 rows (a 1 x 100,000,000 PNG: 14 ms). AVIF is
 *   decoded by libheif inside libvips, natively and off the JS thread; left to MAX_PIXELS (no
 *   dense test file could be made here: vips' AV1 output of 8000x8000 did not load).
 */
export const BMP_MAX_PIXELS = 25_000_000
export const RLE_BMP_MAX_PIXELS_PER_BYTE = 256
export const HEIF_MAX_PIXELS = 50_000_000
export const GIF_MAX_PIXELS_PER_BYTE = 2048

export interface DecodeRequest {
  contentType: string
  /** The file's first bytes (at least its header: the BMP compression field is at byte 30). */
  head: Uint8Array
  width: number
  height: number
  /** The file's real size in bytes, counted, never a size field of the file. */
  fileBytes: number
}

/** Why decoding this file would cost more than its format and size justify, or undefined. */
export function decodeBudgetProblem ({ contentType, head, width, height, fileBytes }: DecodeRequest): string | undefined {
  const pixels = width * height
  const perByte = (limit: number, what: string): string | undefined => pixels > limit * fileBytes
    ? `it declares ${width}x${height} pixels in ${fileBytes} bytes, over the ${limit} pixels per byte ${what} can hold`
    : undefined
  switch (contentType) {
    case 'image/bmp':
      if (pixels > BMP_MAX_PIXELS) return `it is ${width}x${height} pixels, over the BMP limit of ${BMP_MAX_PIXELS} pixels`
      return isRleBmp(head) ? perByte(RLE_BMP_MAX_PIXELS_PER_BYTE, 'a run-length encoded BMP') : undefined
    case 'image/heic':
    case 'image/heif':
      return pixels > HEIF_MAX_PIXELS ? `it is ${width}x${height} pixels, over the HEIC/HEIF limit of ${HEIF_MAX_PIXELS} pixels` : undefined
    case 'image/gif':
      return perByte(GIF_MAX_PIXELS_PER_BYTE, 'a GIF')
    default:
      return undefined
  }
}

/** BI_RLE8 or BI_RLE4 in a Windows info header (40 bytes or more); RLE24 in an OS/2 2.x one (64). */
function isRleBmp (head: Uint8Array): boolean {
  if (head.length < 34) return false
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength)
  const headerSize = view.getUint32(14, true)
  if (headerSize < 40) return false
  const compression = view.getUint32(30, true)
  return compression === 1 || compression === 2 || (headerSize === 64 && compression === 4)
}
