import sharp from 'sharp'

/** The red marker every fixture has in its top-left quarter (test/fixtures/make-fixtures.ts). */
export function isMarkerRed (pixel: { r: number, g: number, b: number }): boolean {
  // Lossy encoders (JPEG, AVIF, WebP) shift colours a little.
  return pixel.r > 200 && pixel.g < 70 && pixel.b < 70
}

export async function pixelAt (bytes: Buffer, x: number, y: number): Promise<{ r: number, g: number, b: number }> {
  const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true })
  const i = (y * info.width + x) * info.channels
  return { r: data[i]!, g: data[i + 1]!, b: data[i + 2]! }
}
