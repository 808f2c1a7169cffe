/**
 * The sizes the processor makes of every image. WebP everywhere: every current browser shows
 * it, and it is far smaller than JPEG or PNG at the same quality. Longest side in pixels; an
 * image smaller than that keeps its size (never upscaled).
 */
export const VARIANTS = {
  thumb: { longestSide: 256, quality: 75 },
  display: { longestSide: 1280, quality: 82 }
} as const

export type VariantName = keyof typeof VARIANTS

export const VARIANT_NAMES = Object.keys(VARIANTS) as VariantName[]

export const VARIANT_CONTENT_TYPE = 'image/webp'

/** Variants live beside, never under, originals/: the processor only reacts to originals/. */
export const variantKey = (id: string, name: VariantName): string => `processed/${id}/${name}.webp`
