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
