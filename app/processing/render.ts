import sharp, { type ResizeOptions, type Sharp } from 'sharp'
import { VARIANTS, VARIANT_CONTENT_TYPE, VARIANT_NAMES, type VariantName } from '../lib/variants.js'
import { UndecodableImage } from './decode.js'

export interface RenderedVariant {
  name: VariantName
  bytes: Buffer
  width: number
  height: number
  contentType: string
}

export interface Rendered {
  /** Of the decoded image as displayed: EXIF orientation applied. */
  width: number
  height: number
  variants: RenderedVariant[]
}

/**
 * Every variant of one decoded image: EXIF orientation applied (rotate() with no angle), resized
 * to fit its longest side, never enlarged, WebP. sharp writes no metadata unless asked
 * (withMetadata/keepExif), so EXIF, GPS and XMP stay behind in the original.
 *
 * The original is decoded once, straight to the largest variant's size (sharp streams it through
 * the resize, and JPEG decodes shrunk on load), and every variant is made from those pixels. A
 * sharp pipeline per variant, clone() or not, would decode the original once for each.
 */
export async function renderVariants (image: Sharp): Promise<Rendered> {
  try {
    const meta = await image.metadata()
    const largest = Math.max(...VARIANT_NAMES.map(name => VARIANTS[name].longestSide))
    const { data, info } = await image
      .rotate()
      .resize(fitInside(largest))
      .raw()
      .toBuffer({ resolveWithObject: true })
    const raw = { raw: { width: info.width, height: info.height, channels: info.channels } }
    const variants = await Promise.all(VARIANT_NAMES.map(async (name): Promise<RenderedVariant> => {
      const { longestSide, quality } = VARIANTS[name]
      const { data: bytes, info: size } = await sharp(data, raw)
        .resize(fitInside(longestSide))
        .webp({ quality })
        .toBuffer({ resolveWithObject: true })
      return { name, bytes, width: size.width, height: size.height, contentType: VARIANT_CONTENT_TYPE }
    }))
    return { width: meta.autoOrient.width, height: meta.autoOrient.height, variants }
  } catch (err) {
    if (err instanceof UndecodableImage) throw err
    throw new UndecodableImage(firstLine((err as Error).message))
  }
}

const fitInside = (side: number): ResizeOptions => ({ width: side, height: side, fit: 'inside', withoutEnlargement: true })

const firstLine = (message: string): string => (message.split('\n')[0] ?? '').trim().slice(0, 200)
