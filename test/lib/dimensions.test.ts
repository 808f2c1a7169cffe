import t from 'tap'
import { readDimensions } from '../../app/lib/dimensions.js'
import { fixture } from '../helpers/multipart.js'

t.test('reads width and height from every fixture header', async t => {
  for (const name of ['jpg', 'png', 'gif', 'webp', 'avif', 'tiff', 'bmp']) {
    t.same(readDimensions(fixture(`image.${name}`)), { width: 64, height: 48 }, name)
  }
})

t.test('a truncated header gives no dimensions, even when the bytes after it in memory would', async t => {
  const png = fixture('image.png')
  // The first 20 bytes of a PNG, sitting in a larger buffer whose next bytes are the real height.
  const pooled = Buffer.from(png.subarray(0, 64)).subarray(0, 20)
  t.equal(pooled.buffer.byteLength > 20, true, 'the view is part of a larger allocation')
  t.equal(readDimensions(pooled), undefined)
})

t.test('bytes that are no image give no dimensions', async t => {
  t.equal(readDimensions(Buffer.from('just some text, no image header at all')), undefined)
})

t.test('a BMP with the 12-byte core header (OS/2 1.x, Windows 2.x) keeps its size in 16-bit fields', async t => {
  const bmp = Buffer.alloc(26 + 64 * 48 * 3)
  bmp.write('BM', 0, 'latin1')
  bmp.writeUInt32LE(bmp.length, 2)
  bmp.writeUInt32LE(26, 10)
  bmp.writeUInt32LE(12, 14)
  bmp.writeUInt16LE(64, 18)
  bmp.writeUInt16LE(48, 20)
  bmp.writeUInt16LE(1, 22)
  bmp.writeUInt16LE(24, 24)
  t.same(readDimensions(bmp), { width: 64, height: 48 })
})
