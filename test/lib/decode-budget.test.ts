import t from 'tap'
import { BMP_MAX_PIXELS, decodeBudgetProblem, GIF_MAX_PIXELS_PER_BYTE, HEIF_MAX_PIXELS, RLE_BMP_MAX_PIXELS_PER_BYTE } from '../../app/lib/decode-budget.js'
import { heicGridBomb, hugeScreenGif, plainBmp, rle8BmpBomb } from '../helpers/hostile-images.js'
import { fixture } from '../helpers/multipart.js'

const ask = (contentType: string, head: Buffer, width: number, height: number, fileBytes = head.length): string | undefined =>
  decodeBudgetProblem({ contentType, head, width, height, fileBytes })

t.test('BMP: over the bmp-ts limit, whatever its compression', async t => {
  const bmp = plainBmp(16, 16)
  t.equal(ask('image/bmp', bmp, 5000, 5000, 25_000_000 + 54), undefined, '25 MP uncompressed is within the limit')
  t.match(ask('image/bmp', bmp, 5001, 5000, 26_000_000), new RegExp(`over the BMP limit of ${BMP_MAX_PIXELS} pixels`))
  t.match(ask('image/bmp', rle8BmpBomb(10_000, 10_000), 10_000, 10_000), /10000x10000 pixels, over the BMP limit/, 'the issue\'s 64-byte RLE8 bomb')
})

t.test('RLE BMP: declared pixels per byte of file', async t => {
  const rle = rle8BmpBomb(1000, 1000)
  t.match(ask('image/bmp', rle, 1000, 1000), new RegExp(`1000x1000 pixels in 64 bytes, over the ${RLE_BMP_MAX_PIXELS_PER_BYTE} pixels per byte a run-length encoded BMP`))
  t.equal(ask('image/bmp', rle, 1000, 1000, 1_000_000 / RLE_BMP_MAX_PIXELS_PER_BYTE), undefined, 'exactly at the limit')
  t.equal(ask('image/bmp', rle, 1000, 1000, 7813), undefined, 'runs of 255 pixels in 2 bytes pass')
  const rle4 = Buffer.from(rle)
  rle4.writeUInt32LE(2, 30)
  t.match(ask('image/bmp', rle4, 1000, 1000), /run-length encoded/, 'BI_RLE4 too')
  t.equal(ask('image/bmp', plainBmp(16, 16), 1000, 1000, 64), undefined, 'uncompressed: only the pixel limit applies (its size is checked by the structure walk)')
  t.equal(ask('image/bmp', fixture('image.bmp'), 64, 48), undefined, 'the fixture BMP')
})

t.test('HEIC and HEIF: over the heic-decode limit', async t => {
  t.equal(ask('image/heic', fixture('image.heic'), 8064, 6048), undefined, 'a 48 MP phone photo')
  t.match(ask('image/heic', heicGridBomb(), 10_000, 10_000), new RegExp(`over the HEIC/HEIF limit of ${HEIF_MAX_PIXELS} pixels`))
  t.match(ask('image/heif', fixture('image.heic'), 7072, 7072), /HEIC\/HEIF limit/)
  t.equal(ask('image/avif', fixture('image.avif'), 10_000, 10_000), undefined, 'AVIF is decoded by libvips: MAX_PIXELS alone')
})

t.test('GIF: declared canvas pixels per byte', async t => {
  const bomb = hugeScreenGif(10_000, 10_000)
  t.match(ask('image/gif', bomb, 10_000, 10_000), new RegExp(`10000x10000 pixels in 35 bytes, over the ${GIF_MAX_PIXELS_PER_BYTE} pixels per byte a GIF`))
  t.equal(ask('image/gif', bomb, 5000, 5000, 16_965), undefined, 'a one-colour 5000x5000 GIF as ImageMagick writes it (17 KB)')
  t.equal(ask('image/gif', fixture('image.gif'), 64, 48), undefined, 'the fixture GIF')
})

t.test('formats libvips streams: no rule beyond MAX_PIXELS', async t => {
  for (const contentType of ['image/png', 'image/jpeg', 'image/tiff', 'image/webp']) {
    t.equal(ask(contentType, Buffer.alloc(64), 1, 100_000_000), undefined, contentType)
  }
})
