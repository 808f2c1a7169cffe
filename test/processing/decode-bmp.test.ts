/**
 * Every BMP of the corpus (and test/fixtures/image.bmp) decodes to the pixels Debian's vips
 * (ImageMagick's BMP reader) gives. The references in test/fixtures/bmp-reference were written
 * once with `env -u VIPSHOME vips copy in.bmp out.png[strip]`.
 */
import t from 'tap'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { decodeBmp } from '../../app/processing/decode-bmp.js'

const CORPUS = 'test/fixtures/corpus'
const REFERENCE = 'test/fixtures/bmp-reference'
const files = [
  ...readdirSync(CORPUS).filter(name => name.startsWith('bmp-')).map(name => join(CORPUS, name)),
  'test/fixtures/image.bmp'
]

async function reference (file: string): Promise<{ width: number, height: number, data: Buffer }> {
  const png = join(REFERENCE, file.split('/').pop()!.replace(/\.bmp$/, '.png'))
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true })
  return { width: info.width, height: info.height, data }
}

/** The largest difference of any channel of any pixel. */
function largestDifference (a: Uint8Array, b: Uint8Array): number {
  let largest = 0
  for (let i = 0; i < a.length; i++) largest = Math.max(largest, Math.abs(a[i]! - b[i]!))
  return largest
}

t.equal(files.length, 11, 'all ten corpus BMPs and image.bmp')
for (const file of files) {
  t.test(file, async t => {
    const expected = await reference(file)
    const decoded = decodeBmp(readFileSync(file))
    t.same({ width: decoded.width, height: decoded.height, length: decoded.data.length }, { width: expected.width, height: expected.height, length: expected.data.length })
    // libnsbmp widens 5- and 6-bit channels by shifting them up, ImageMagick by scaling them:
    // 31 becomes 248 rather than 255.
    const tolerance = file.includes('16bit') ? 7 : 0
    t.ok(largestDifference(decoded.data, expected.data) <= tolerance, `pixels within ${tolerance} of vips'`)
  })
}

t.test('a Buffer that is a view into a larger ArrayBuffer decodes the same', async t => {
  const bytes = readFileSync(join(CORPUS, 'bmp-8bit.bmp'))
  const pool = Buffer.alloc(bytes.length + 100, 7)
  bytes.copy(pool, 50)
  const view = pool.subarray(50, 50 + bytes.length)
  t.same(decodeBmp(view).data, decodeBmp(bytes).data)
})

t.test('RLE8 whose data stops half-way keeps the rows it has and leaves the rest transparent', async t => {
  const whole = readFileSync(join(CORPUS, 'bmp-rle8.bmp'))
  const dataOffset = whole.readUInt32LE(10)
  const half = whole.subarray(0, dataOffset + Math.floor((whole.length - dataOffset) / 2))
  const expected = await reference('bmp-rle8.bmp')
  const decoded = decodeBmp(half)
  const rowBytes = decoded.width * 4
  // Bottom-up: the bottom row is stored first, the top row (with the marker) never arrives.
  const bottom = decoded.data.subarray(decoded.data.length - rowBytes)
  t.equal(largestDifference(bottom, expected.data.subarray(expected.data.length - rowBytes)), 0, 'the bottom row is decoded')
  t.same([...decoded.data.subarray(0, 4)], [0, 0, 0, 0], 'the top-left pixel is transparent')
})

t.test('damaged RLE8 (corrupt-bmp.bmp) decodes, as vips and browsers show it', async t => {
  const decoded = decodeBmp(readFileSync(join(CORPUS, 'corrupt-bmp.bmp')))
  t.same({ width: decoded.width, height: decoded.height }, { width: 97, height: 63 })
})

t.test('a truncated uncompressed BMP is refused', async t => {
  t.throws(() => decodeBmp(readFileSync(join(CORPUS, 'truncated-bmp.bmp'))))
})
