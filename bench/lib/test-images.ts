import sharp from 'sharp'

/** Smooth gradients plus seeded noise: compresses like a photo, identical on every run. */
function photoLikePixels (width: number, height: number): Buffer {
  const raw = Buffer.alloc(width * height * 3)
  let x = 0x12345678
  for (let y = 0, i = 0; y < height; y++) {
    for (let col = 0; col < width; col++) {
      for (let channel = 0; channel < 3; channel++, i++) {
        x ^= x << 13; x ^= x >>> 17; x ^= x << 5
        const noise = ((x >>> 0) / 4294967296) * 50
        raw[i] = 128 + 60 * Math.sin(col / 37 + channel) + 40 * Math.cos(y / 23) + noise
      }
    }
  }
  return raw
}

export async function jpeg (width: number, height: number, quality = 85): Promise<Buffer> {
  return await sharp(photoLikePixels(width, height), { raw: { width, height, channels: 3 } }).jpeg({ quality }).toBuffer()
}

/** An 800-pixel-wide JPEG of about `bytes`: its height is refined a few times from the size per row. */
export async function jpegOfSize (bytes: number): Promise<Buffer> {
  let height = 600
  let image = await jpeg(800, height)
  for (let attempt = 0; attempt < 4 && Math.abs(image.length - bytes) > bytes * 0.02; attempt++) {
    height = Math.max(16, Math.round(height * bytes / image.length))
    image = await jpeg(800, height)
  }
  return image
}

/**
 * A photo-like JPEG (quality 100, as a camera's finest setting) or PNG of about `bytes`, 4:3:
 * the size per pixel is measured on a small sample first, so one full-size encode is enough.
 */
export async function photoOfSize (format: 'jpeg' | 'png', bytes: number): Promise<{ data: Buffer, width: number, height: number }> {
  const encode = async (width: number, height: number): Promise<Buffer> => {
    const image = sharp(photoLikePixels(width, height), { raw: { width, height, channels: 3 } })
    return await (format === 'jpeg' ? image.jpeg({ quality: 100 }) : image.png()).toBuffer()
  }
  const bytesPerPixel = (await encode(1000, 750)).length / (1000 * 750)
  const height = Math.round(Math.sqrt(bytes / bytesPerPixel * 3 / 4))
  const width = Math.round(height * 4 / 3)
  return { data: await encode(width, height), width, height }
}
