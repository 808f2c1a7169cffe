import t from 'tap'
import { readImageHead, HEADER_PROBE_LIMIT } from '../../app/lib/image-head.js'
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

t.test('gives up on dimensions at the probe limit', async t => {
  // A JPEG start marker followed by an endless APP1 segment chain: no frame header ever.
  const soi = Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0xff, 0xff])
  const filler = Buffer.alloc(64 * 1024, 0)
  let read = 0
  async function * endless (): AsyncGenerator<Buffer> {
    yield soi
    for (let i = 0; i < 100; i++) {
      read += filler.length
      yield filler
    }
  }
  await t.rejects(readImageHead(endless(), rules), { code: 'UNREADABLE_IMAGE', statusCode: 422 })
  t.ok(read <= HEADER_PROBE_LIMIT + filler.length, `read ${read} bytes`)
})

t.test('counts pixels against the limit', async t => {
  await t.rejects(readImageHead(chunksOf(fixture('image.png'), 4096), { ...rules, maxPixels: 3071 }), { code: 'TOO_MANY_PIXELS' })
  const head = await readImageHead(chunksOf(fixture('image.png'), 4096), { ...rules, maxPixels: 3072 })
  t.equal(head.width * head.height, 3072)
})
