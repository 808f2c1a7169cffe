/**
 * HEIC with an alpha plane keeps its alpha through openImage; HEIC without one stays opaque RGB.
 */
import t from 'tap'
import { readFileSync } from 'node:fs'
import { openImage } from '../../app/processing/decode.js'

const MAX_PIXELS = 1_000_000

async function pixels (file: string): Promise<{ channels: number, at: (x: number, y: number) => number[] }> {
  const image = await openImage(readFileSync(file), 'image/heic', MAX_PIXELS)
  const { data, info } = await image.raw().toBuffer({ resolveWithObject: true })
  const at = (x: number, y: number): number[] => [...data.subarray((y * info.width + x) * info.channels, (y * info.width + x + 1) * info.channels)]
  return { channels: info.channels, at }
}

t.test('heic-alpha.heic: red marker at the top left, alpha 0.6 kept', async t => {
  const { channels, at } = await pixels('test/fixtures/corpus/heic-alpha.heic')
  t.equal(channels, 4)
  const [r, g, b, a] = at(3, 3)
  t.ok(r! > 200 && g! < 50 && b! < 50, `marker red (${String(at(3, 3))})`)
  t.ok(Math.abs(a! - 153) <= 2, `alpha about 0.6 (${String(a)})`)
  const [, , , cornerAlpha] = at(96, 62)
  t.ok(Math.abs(cornerAlpha! - 153) <= 2, 'alpha in the opposite corner too')
})

t.test('heic-odd-size.heic (no alpha plane) stays three channels, marker red', async t => {
  const { channels, at } = await pixels('test/fixtures/corpus/heic-odd-size.heic')
  t.equal(channels, 3)
  const [r, g, b] = at(3, 3)
  t.ok(r! > 200 && g! < 50 && b! < 50, `marker red (${String(at(3, 3))})`)
})
