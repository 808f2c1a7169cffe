import sharp, { type Sharp, type SharpOptions } from 'sharp'
import { decodeBmp, type RgbaImage } from './decode-bmp.js'
import { decodeBudgetProblem } from '../lib/decode-budget.js'
import { readDimensions } from '../lib/dimensions.js'

/** The image cannot become variants; the message says why, for the item's failureReason. */
export class UndecodableImage extends Error {
  override name = 'UndecodableImage'
}

/**
 * A sharp pipeline over the decoded image. sharp decodes most formats itself; its prebuilt
 * libvips has no HEVC (HEIC) and no BMP decoder, so those are decoded here to raw pixels first.
 * Every path refuses an image over maxPixels, or over its decoder's budget (lib/decode-budget.ts:
 * the upload checks it too; this is the second guard), before allocating its pixels.
 */
export async function openImage (bytes: Buffer, contentType: string, maxPixels: number): Promise<Sharp> {
  const options: SharpOptions = { limitInputPixels: maxPixels, failOn: 'warning' }
  if (contentType === 'image/heic' || contentType === 'image/heif') return openHeic(bytes, options, maxPixels)
  if (contentType === 'image/bmp') return openBmp(bytes, options, maxPixels)
  if (contentType === 'image/gif') {
    // The logical screen here: the canvas can only be larger.
    const screen = readDimensions(bytes)
    if (screen) checkBudget(bytes, contentType, screen.width, screen.height)
  }
  return sharp(bytes, options)
}

async function openHeic (bytes: Buffer, options: SharpOptions, maxPixels: number): Promise<Sharp> {
  // Loaded on first use: compiling libheif's WASM costs ~300 ms, which only HEIC images should pay.
  const { default: heicDecode } = await import('heic-decode')
  let images: Awaited<ReturnType<typeof heicDecode.all>>
  try {
    images = await heicDecode.all({ buffer: bytes })
  } catch (err) {
    throw new UndecodableImage(`HEIF: ${(err as Error).message}`)
  }
  try {
    const primary = images[0]
    if (!primary) throw new UndecodableImage('HEIF: no image in the file')
    checkPixels(primary.width, primary.height, maxPixels)
    checkBudget(bytes, 'image/heic', primary.width, primary.height)
    const { width, height, data } = await primary.decode().catch((err: Error) => {
      throw new UndecodableImage(`HEIF: ${err.message}`)
    })
    // libheif has applied the file's rotation and mirroring (irot/imir) to these pixels.
    return fromRgba(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width, height, 255, options)
  } finally {
    images.dispose()
  }
}

function openBmp (bytes: Buffer, options: SharpOptions, maxPixels: number): Sharp {
  const size = readDimensions(bytes)
  if (!size) throw new UndecodableImage('BMP: unreadable header')
  checkPixels(size.width, size.height, maxPixels)
  checkBudget(bytes, 'image/bmp', size.width, size.height)
  let decoded: RgbaImage
  try {
    decoded = decodeBmp(bytes)
  } catch (err) {
    throw new UndecodableImage(`BMP: ${(err as Error).message}`)
  }
  return fromRgba(decoded.data, decoded.width, decoded.height, 255, options)
}

/**
 * Raw RGBA into sharp. When every alpha value is `noAlpha` (the decoder's "no transparency"),
 * the alpha channel is dropped: variants of opaque images stay opaque (and smaller). It is
 * dropped in place (each pixel moves to an offset no later than its own), so the decoded
 * pixels are never copied.
 */
function fromRgba (rgba: Uint8Array, width: number, height: number, noAlpha: number, options: SharpOptions): Sharp {
  let opaque = true
  for (let i = 3; i < rgba.length && opaque; i += 4) opaque = rgba[i] === noAlpha
  if (!opaque) return sharp(rgba, { ...options, raw: { width, height, channels: 4 } })
  for (let src = 0, dst = 0; src < rgba.length; src += 4, dst += 3) {
    rgba[dst] = rgba[src]!
    rgba[dst + 1] = rgba[src + 1]!
    rgba[dst + 2] = rgba[src + 2]!
  }
  return sharp(rgba.subarray(0, width * height * 3), { ...options, raw: { width, height, channels: 3 } })
}

function checkPixels (width: number, height: number, maxPixels: number): void {
  if (width * height > maxPixels) {
    throw new UndecodableImage(`the image is ${width}x${height} pixels, over the limit of ${maxPixels}`)
  }
}

function checkBudget (bytes: Buffer, contentType: string, width: number, height: number): void {
  const problem = decodeBudgetProblem({ contentType, head: bytes, width, height, fileBytes: bytes.length })
  if (problem) throw new UndecodableImage(`too costly to decode: ${problem}`)
}
