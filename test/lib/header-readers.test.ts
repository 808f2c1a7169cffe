import t from 'tap'
import { dimensionReader } from '../../app/lib/header-readers.js'
import { fixture } from '../helpers/multipart.js'
import { avifMetaLast, firstFrame, gifBehindComments, grayTiff, jpegBehindAppSegments } from '../fixtures/late-headers.js'

const MiB = 1024 * 1024

/** Feeds `bytes` in chunks of `size`; the reader's dimensions, or its problem as { problem }. */
function read (type: string, bytes: Buffer, size = bytes.length): { width: number, height: number } | { problem: string | undefined, truncated: boolean } {
  const reader = dimensionReader(type)!
  for (let i = 0; i < bytes.length && !reader.done; i += size) reader.push(bytes.subarray(i, i + size))
  if (!reader.done) reader.end()
  return reader.result ?? { problem: reader.problem, truncated: reader.truncated }
}

const known = [
  { file: 'image.tiff', type: 'image/tiff', width: 64, height: 48 },
  { file: 'ifd-last.tif', type: 'image/tiff', width: 64, height: 48 },
  { file: 'ifd-last-be.tif', type: 'image/tiff', width: 64, height: 48 },
  { file: 'ifd-last-bigtiff.tif', type: 'image/tiff', width: 64, height: 48 },
  { file: 'image.jpg', type: 'image/jpeg', width: 64, height: 48 },
  { file: 'photo-rotated.jpg', type: 'image/jpeg', width: 640, height: 480 },
  { file: 'image.avif', type: 'image/avif', width: 64, height: 48 },
  { file: 'image.heic', type: 'image/heic', width: 64, height: 64 }
]

for (const { file, type, width, height } of known) {
  t.test(`${file}: the same dimensions in any chunking`, async t => {
    for (const size of [1, 7, 4096, Infinity]) t.same(read(type, fixture(file), size), { width, height }, `${size}-byte chunks`)
  })
}

t.test('a TIFF directory after more than a MiB of pixels, in each byte order and in BigTIFF', async t => {
  for (const layout of [{}, { byteOrder: 'MM' as const }, { bigTiff: true }, { bigTiff: true, byteOrder: 'MM' as const }]) {
    const tiff = grayTiff({ width: 1500, height: 1000, ...layout })
    t.same(read('image/tiff', tiff, 65536), { width: 1500, height: 1000 }, JSON.stringify(layout))
  }
})

t.test('the reader holds nothing while it skips to the directory and says where it goes on', async t => {
  const tiff = grayTiff({ width: 1500, height: 1000 })
  const reader = dimensionReader('image/tiff')!
  reader.push(tiff.subarray(0, MiB))
  t.notOk(reader.done)
  t.equal(reader.wantsOffset, 8 + 1500 * 1000, 'the directory offset from the header')
  reader.skipTo(reader.wantsOffset)
  reader.push(tiff.subarray(8 + 1500 * 1000))
  t.same(reader.result, { width: 1500, height: 1000 })
})

t.test('a TIFF whose directory lies past its end is truncated, not misread', async t => {
  const tiff = grayTiff({ width: 100, height: 100, ifdOffset: 50_000 })
  t.match(read('image/tiff', tiff, 1000), { truncated: true })
  t.match(read('image/tiff', tiff.subarray(0, tiff.length - 20)), { truncated: true }, 'cut inside the directory')
})

t.test('a TIFF header or directory that cannot be read says why', async t => {
  const tiff = grayTiff({ width: 10, height: 10 })
  const badVersion = Buffer.from(tiff)
  badVersion.writeUInt16LE(41, 2)
  t.match(read('image/tiff', badVersion), { problem: /version is 41/ })
  t.match(read('image/tiff', grayTiff({ width: 10, height: 10, ifdOffset: 4 })), { problem: /points into the header/ })
  const noWidth = Buffer.from(tiff)
  noWidth.writeUInt16LE(300, 8 + 100 + 2) // the first entry, ImageWidth, becomes another tag
  t.match(read('image/tiff', noWidth), { problem: /no ImageWidth and ImageLength/ })
})

t.test('a multi-page TIFF gives the size of its first image', async t => {
  // Two directories back to back: the second's entries must not overwrite the first's.
  const first = grayTiff({ width: 30, height: 20 })
  const second = grayTiff({ width: 3000, height: 2000, pixelBytes: 0 })
  const secondIfd = second.subarray(8)
  const file = Buffer.concat([first, secondIfd])
  file.writeUInt32LE(first.length, first.length - 4) // next-directory offset of the first
  t.same(read('image/tiff', file), { width: 30, height: 20 })
})

t.test('a JPEG frame header behind more than a MiB of APP segments, of any SOF kind', async t => {
  const jpeg = jpegBehindAppSegments(fixture('image.jpg'), 2 * MiB)
  t.same(read('image/jpeg', jpeg, 65536), { width: 64, height: 48 })
  const sof0 = jpeg.indexOf(Buffer.from([0xff, 0xc0]))
  for (const marker of [0xc3, 0xc9, 0xca]) {
    const other = Buffer.from(jpeg)
    other[sof0 + 1] = marker
    t.same(read('image/jpeg', other, 65536), { width: 64, height: 48 }, `SOF 0x${marker.toString(16)}`)
  }
})

t.test('a JPEG whose scan starts before any frame header is refused', async t => {
  const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xda, 0x00, 0x02, 0x00, 0xff, 0xd9])
  t.match(read('image/jpeg', jpeg), { problem: /before any frame header/ })
})

t.test('an AVIF with its meta box after more than a MiB of mdat', async t => {
  t.same(read('image/avif', avifMetaLast(640, 480, 2 * MiB), 65536), { width: 640, height: 480 })
  t.match(read('image/avif', avifMetaLast(640, 480, 2 * MiB).subarray(0, 2 * MiB)), { truncated: true })
  const noMeta = avifMetaLast(640, 480, 100)
  t.match(read('image/avif', noMeta.subarray(0, noMeta.indexOf('meta') - 4)), { problem: /no meta box/ })
  const mdatToEnd = Buffer.from(noMeta.subarray(0, noMeta.indexOf('meta') - 4))
  mdatToEnd.writeUInt32BE(0, mdatToEnd.indexOf('mdat') - 4) // size 0: the mdat runs to the end of the file
  t.match(read('image/avif', mdatToEnd, 7), { problem: /no meta box/, truncated: false })
})

t.test('a GIF is as large as its canvas: the logical screen grown to hold the first frame', async t => {
  t.same(read('image/gif', fixture('image.gif'), 3), { width: 64, height: 48 })
  const small = Buffer.from(fixture('image.gif'))
  small.writeUInt16LE(10, 6)
  small.writeUInt16LE(0, 8)
  t.same(read('image/gif', small), { width: 64, height: 48 }, 'a 10x0 screen')
  const frameAt = firstFrame(small)
  small.writeUInt16LE(100, frameAt + 1) // left
  small.writeUInt16LE(7, frameAt + 3) // top
  t.same(read('image/gif', small), { width: 164, height: 55 }, 'offset frame')
  const behindComments = gifBehindComments(fixture('image.gif'), 2 * MiB)
  t.same(read('image/gif', behindComments, 65536), { width: 64, height: 48 }, 'first frame behind 2 MiB of comments')
})

t.test('a GIF gives its screen as a lower bound before its first frame', async t => {
  const reader = dimensionReader('image/gif')!
  reader.push(fixture('image.gif').subarray(0, 13))
  t.notOk(reader.done)
  t.same(reader.atLeast, { width: 64, height: 48 })
})

t.test('formats whose size is at a fixed place near the start have no streaming reader', async t => {
  for (const type of ['image/png', 'image/webp', 'image/bmp']) t.equal(dimensionReader(type), undefined, type)
})
