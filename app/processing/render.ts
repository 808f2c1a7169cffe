import type { Sharp } from 'sharp'
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
 */
export async function renderVariants (image: Sharp): Promise<Rendered> {
  try {
    const meta = await image.metadata()
    const variants = await Promise.all(VARIANT_NAMES.map(async (name): Promise<RenderedVariant> => {
      const { longestSide, quality } = VARIANTS[name]
      const { data, info } = await image.clone()
        .rotate()
        .resize({ width: longestSide, height: longestSide, fit: 'inside', withoutEnlargement: true })
        .webp({ quality })
        .toBuffer({ resolveWithObject: true })
      return { name, bytes: data, width: info.width, height: info.height, contentType: VARIANT_CONTENT_TYPE }
    }))
    return { width: meta.autoOrient.width, height: meta.autoOrient.height, variants }
  } catch (err) {
    if (err instanceof UndecodableImage) throw err
    throw new UndecodableImage(firstLine((err as Error).message))
  }
}

const firstLine = (message: string): string => (message.split('\n')[0] ?? '').trim().slice(0, 200)
