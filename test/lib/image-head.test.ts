import t from 'tap'
import { readImageHead, storedImageDimensions, HEADER_PROBE_LIMIT } from '../../app/lib/image-head.js'
import { grayTiff } from '../fixtures/late-headers.js'
import { DEFAULT_ALLOWED_TYPES } from '../../app/config.js'
import { fixture } from '../helpers/multipart.js'

const rules = { filename: 'x', allowedTypes: DEFAULT_ALLOWED_TYPES, maxPixels: 100_000_000 }

async function * chunksOf (bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size)
}

t.test('accepts a file delivered one byte at a time and keeps every byte read', async t => {
  const jpg = fixture('photo-rotated.jpg')
  const chunks = chunksOf(jpg, 1)
  const head = await readImageHead(chunks, rules)
  t.match(head, { contentType: 'image/jpeg', width: 640, height: 480, ended: false })
  const rest: Buffer[] = []
  for await (const chunk of chunks) rest.push(chunk)
  t.same(Buffer.concat([head.bytes, ...rest]), jpg, 'head + rest is the whole file')
})

t.test('a small file is read to its end while probing', async t => {
  const head = await readImageHead(chunksOf(fixture('image.jpg'), 100), rules)
  t.equal(head.ended, true)
  t.equal(head.bytes.length, fixture('image.jpg').length)
})

t.test('refuses before reading past the sniffing window when the type is wrong', async t => {
  let read = 0
  async function * pdf (): AsyncGenerator<Buffer> {
    for (let i = 0; i < 1000; i++) {
      read += 1024
      yield Buffer.from('%PDF-1.7'.padEnd(1024, ' '))
    }
  }
  await t.rejects(readImageHead(pdf(), rules), { code: 'UNSUPPORTED_TYPE', statusCode: 415 })
  t.ok(read <= 5 * 1024, `read ${read} bytes`)
})

t.test('a format with its size at a fixed place gives up at the probe limit', async t => {
  // A BMP signature, then zeros: its header says 0x0 pixels, wherever the probe looks.
  const start = Buffer.from('BM')
  const filler = Buffer.alloc(64 * 1024, 0)
  let read = 0
  async function * endless (): AsyncGenerator<Buffer> {
    yield start
    for (let i = 0; i < 100; i++) {
      read += filler.length
      yield filler
    }
  }
  await t.rejects(readImageHead(endless(), rules), { code: 'UNREADABLE_IMAGE', statusCode: 422, message: /detected image\/bmp.*not in its first 1048576 bytes/ })
  t.ok(read <= HEADER_PROBE_LIMIT + filler.length, `read ${read} bytes`)
})

t.test('a JPEG without its frame header in the first MiB goes on provisionally and fails when the file ends without one', async t => {
  // A JPEG start marker followed by an APP1 segment and zeros: no frame header ever.
  const soi = Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0xff, 0xff])
  const filler = Buffer.alloc(64 * 1024, 0)
  async function * endless (): AsyncGenerator<Buffer> {
    yield soi
    for (let i = 0; i < 40; i++) yield filler
  }
  const chunks = endless()
  const head = await readImageHead(chunks, rules)
  t.ok(head.late, 'no dimensions yet: a watch for the rest')
  t.ok(head.bytes.length <= HEADER_PROBE_LIMIT + filler.length, `held ${head.bytes.length} bytes`)
  for await (const chunk of chunks) head.late!.push(chunk)
  t.throws(() => head.late!.end(), { code: 'UNREADABLE_IMAGE', statusCode: 422, message: /detected image\/jpeg.*ends after 2621446 bytes, before its header/ })
})

t.test('a TIFF written by libtiff, directory after the pixels and past the sniffing window, is a TIFF with its size', async t => {
  for (const name of ['ifd-last.tif', 'ifd-last-be.tif', 'ifd-last-bigtiff.tif']) {
    const head = await readImageHead(chunksOf(fixture(name), 1000), rules)
    t.match(head, { contentType: 'image/tiff', width: 64, height: 48 }, name)
  }
})

t.test('a TIFF directory past the probe limit is read from the rest of the stream, and over the limit fails at its chunk', async t => {
  const tiff = grayTiff({ width: 1500, height: 1000 })
  const directoryAt = 8 + 1500 * 1000
  const fed: number[] = []
  const watch = async (maxPixels: number): Promise<unknown> => {
    const chunks = chunksOf(tiff, 64 * 1024)
    const head = await readImageHead(chunks, { ...rules, maxPixels })
    t.equal(head.contentType, 'image/tiff')
    t.ok(head.late && head.bytes.length <= HEADER_PROBE_LIMIT + 64 * 1024, 'provisional, holding at most the probe')
    let offset = head.bytes.length
    for await (const chunk of chunks) {
      fed.push(offset)
      offset += chunk.length
      const found = head.late!.push(chunk)
      if (found) return found
    }
    return head.late!.end()
  }
  t.same(await watch(1500 * 1000), { width: 1500, height: 1000 })
  fed.length = 0
  await t.rejects(watch(1500 * 1000 - 1), { code: 'TOO_MANY_PIXELS', statusCode: 422, message: /1500x1000/ })
  t.ok(fed.at(-1)! <= directoryAt && fed.at(-1)! + 64 * 1024 > directoryAt, 'refused at the chunk holding the directory')
})

t.test('a TIFF whose directory lies past its end is refused as unreadable, naming the type', async t => {
  const tiff = grayTiff({ width: 1500, height: 1000, ifdOffset: 5_000_000 })
  const chunks = chunksOf(tiff, 64 * 1024)
  const head = await readImageHead(chunks, rules)
  for await (const chunk of chunks) head.late!.push(chunk)
  t.throws(() => head.late!.end(), { code: 'UNREADABLE_IMAGE', message: /detected image\/tiff.*ends after 1500122 bytes, before its header \(the file places it at byte 5000000\)/ })
})

t.test('a stored file: a late TIFF directory costs one read from its offset', async t => {
  const tiff = grayTiff({ width: 1500, height: 1000 })
  const reads: number[] = []
  const readFrom = async function * (offset: number): AsyncGenerator<Buffer> {
    reads.push(offset)
    yield * chunksOf(tiff.subarray(offset), 16)
  }
  const file = { first: tiff.subarray(0, HEADER_PROBE_LIMIT), size: tiff.length }
  t.same(await storedImageDimensions('image/tiff', file, { filename: 'x', maxPixels: 1e8 }, readFrom), { width: 1500, height: 1000 })
  t.same(reads, [8 + 1500 * 1000])
  await t.rejects(storedImageDimensions('image/tiff', file, { filename: 'x', maxPixels: 1000 }, readFrom), { code: 'TOO_MANY_PIXELS' })
  const pastEnd = grayTiff({ width: 1500, height: 1000, ifdOffset: 5_000_000 })
  await t.rejects(storedImageDimensions('image/tiff', { first: pastEnd.subarray(0, HEADER_PROBE_LIMIT), size: pastEnd.length }, { filename: 'x', maxPixels: 1e8 }, readFrom), { code: 'UNREADABLE_IMAGE', message: /places it at byte 5000000/ })
  t.same(reads, [8 + 1500 * 1000, 8 + 1500 * 1000], 'nothing read for a directory past the end')
  t.same(await storedImageDimensions('image/png', { first: fixture('image.png'), size: fixture('image.png').length }, { filename: 'x', maxPixels: 1e8 }, readFrom), { width: 64, height: 48 })
})

t.test('counts pixels against the limit', async t => {
  await t.rejects(readImageHead(chunksOf(fixture('image.png'), 4096), { ...rules, maxPixels: 3071 }), { code: 'TOO_MANY_PIXELS' })
  const head = await readImageHead(chunksOf(fixture('image.png'), 4096), { ...rules, maxPixels: 3072 })
  t.match(head, { width: 64, height: 48 })
})
