import t from 'tap'
import { sniffContentType } from '../../app/lib/sniff.js'
import { fixture } from '../helpers/multipart.js'
import { grayTiff } from '../fixtures/late-headers.js'

t.test('every fixture is sniffed as its format', async t => {
  const expected: Record<string, string> = {
    'image.jpg': 'image/jpeg',
    'image.png': 'image/png',
    'image.gif': 'image/gif',
    'image.webp': 'image/webp',
    'image.avif': 'image/avif',
    'image.heic': 'image/heic',
    'image.tiff': 'image/tiff',
    'image.bmp': 'image/bmp',
    'ifd-last.tif': 'image/tiff',
    'ifd-last-be.tif': 'image/tiff',
    'ifd-last-bigtiff.tif': 'image/tiff'
  }
  for (const [name, type] of Object.entries(expected)) t.equal(await sniffContentType(fixture(name).subarray(0, 4100)), type, name)
})

t.test('a TIFF whose directory lies past the sniffed bytes is a TIFF, in either byte order', async t => {
  t.equal(await sniffContentType(grayTiff({ width: 100, height: 100 }).subarray(0, 4100)), 'image/tiff')
  t.equal(await sniffContentType(grayTiff({ width: 100, height: 100, byteOrder: 'MM' }).subarray(0, 4100)), 'image/tiff')
})

t.test('a TIFF-based camera raw format keeps its own name', async t => {
  const cr2 = Buffer.from(grayTiff({ width: 10, height: 10 }))
  cr2.write('CR', 8, 'latin1')
  t.equal(await sniffContentType(cr2), 'image/x-canon-cr2')
})

t.test('an ISO BMFF image is named by its compatible brands when its major brand is generic', async t => {
  const withMajor = (major: string): Buffer => {
    const avif = Buffer.from(fixture('image.avif'))
    avif.write(major, 8, 'latin1')
    return avif
  }
  t.equal(await sniffContentType(withMajor('mif1')), 'image/avif', 'mif1 with avif compatible')
  t.equal(await sniffContentType(withMajor('miaf')), 'image/avif', 'miaf (file-type: video/mp4) with avif compatible')
  const heic = Buffer.from(fixture('image.heic'))
  t.equal(await sniffContentType(heic), 'image/heic')
})

t.test('bytes that are no known format are octet-stream', async t => {
  t.equal(await sniffContentType(Buffer.from([0x49, 0x49, 0x2c, 0x00, 1, 2, 3, 4])), 'application/octet-stream', 'II, then no TIFF version')
  t.equal(await sniffContentType(Buffer.from('just text')), 'application/octet-stream')
})
