import t from 'tap'
import sharp from 'sharp'
import { buildTestApp } from '../helpers/build-app.js'
import { startEmbeddedStack } from '../helpers/stand-ins.js'
import { fixture, multipartBody, rawMultipart } from '../helpers/multipart.js'
import { storedState } from '../helpers/inspect.js'

const stack = await startEmbeddedStack()
t.teardown(() => stack.close())

const png = fixture('image.png')
const boundary = 'X-TEST-BOUNDARY'
const multipartHeaders = { 'content-type': `multipart/form-data; boundary=${boundary}` }
const filePart = (body: string | Buffer, filename = 'a.png') =>
  ({ headers: [`Content-Disposition: form-data; name="file"; filename="${filename}"`, 'Content-Type: image/png'], body })

interface Case {
  name: string
  env?: Record<string, string>
  request: () => Promise<{ payload?: Buffer | string, headers?: Record<string, string> }>
  status: number
  code: string
  message?: RegExp
}

const cases: Case[] = [
  {
    name: 'a body that is not multipart',
    request: async () => ({ payload: JSON.stringify({ file: 'x' }), headers: { 'content-type': 'application/json' } }),
    status: 415,
    code: 'NOT_MULTIPART'
  },
  {
    name: 'a content type the server does not parse',
    request: async () => ({ payload: png, headers: { 'content-type': 'image/png' } }),
    status: 415,
    code: 'NOT_MULTIPART'
  },
  {
    name: 'no body at all',
    request: async () => ({}),
    status: 415,
    code: 'NOT_MULTIPART'
  },
  {
    name: 'multipart without a boundary',
    request: async () => ({ payload: 'x', headers: { 'content-type': 'multipart/form-data' } }),
    status: 400,
    code: 'MULTIPART_MALFORMED'
  },
  {
    name: 'an unterminated part',
    request: async () => ({ payload: rawMultipart(boundary, [filePart(png)], false), headers: multipartHeaders }),
    status: 400,
    code: 'MULTIPART_MALFORMED'
  },
  {
    name: 'a form with no file',
    request: async () => multipartBody([], { title: 'no file here' }),
    status: 400,
    code: 'NO_FILE'
  },
  {
    name: 'an empty multipart body',
    request: async () => ({ payload: `--${boundary}--\r\n`, headers: multipartHeaders }),
    status: 400,
    code: 'NO_FILE'
  },
  {
    name: 'an empty file',
    request: async () => multipartBody([{ filename: 'empty.png', content: Buffer.alloc(0) }]),
    status: 400,
    code: 'EMPTY_FILE',
    message: /empty\.png/
  },
  {
    name: 'a file in a field other than "file"',
    request: async () => multipartBody([{ field: 'photo', filename: 'a.png', content: png }]),
    status: 400,
    code: 'UNEXPECTED_FIELD'
  },
  {
    name: 'a file one byte over MAX_UPLOAD_BYTES',
    env: { MAX_UPLOAD_BYTES: String(png.length - 1) },
    request: async () => multipartBody([{ filename: 'big.png', content: png }]),
    status: 413,
    code: 'FILE_TOO_LARGE',
    message: new RegExp(`big\\.png.*limit of ${png.length - 1} bytes`)
  },
  {
    name: 'more files than MAX_FILES',
    env: { MAX_FILES: '2' },
    request: async () => multipartBody([1, 2, 3].map(i => ({ filename: `${i}.png`, content: png }))),
    status: 413,
    code: 'TOO_MANY_FILES'
  },
  {
    name: 'more fields than MAX_FIELDS',
    env: { MAX_FIELDS: '2' },
    request: async () => multipartBody([{ filename: 'a.png', content: png }], { a: '1', b: '2', c: '3' }),
    status: 413,
    code: 'TOO_MANY_FIELDS'
  },
  {
    name: 'a PDF named .png',
    request: async () => multipartBody([{ filename: 'doc.png', content: Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n'), type: 'image/png' }]),
    status: 415,
    code: 'UNSUPPORTED_TYPE',
    message: /detected application\/pdf/
  },
  {
    name: 'an image type left out of ALLOWED_TYPES',
    env: { ALLOWED_TYPES: 'image/jpeg,image/png' },
    request: async () => multipartBody([{ filename: 'a.gif', content: fixture('image.gif') }]),
    status: 415,
    code: 'UNSUPPORTED_TYPE',
    message: /detected image\/gif/
  },
  {
    name: 'an image over the pixel limit',
    env: { MAX_PIXELS: String(64 * 48 - 1) },
    request: async () => multipartBody([{ filename: 'a.png', content: png }]),
    status: 422,
    code: 'TOO_MANY_PIXELS',
    message: /64x48/
  },
  {
    name: 'a 30000x30000 PNG bomb (header only, tiny file)',
    request: async () => multipartBody([{ filename: 'bomb.png', content: await pngBomb() }]),
    status: 422,
    code: 'TOO_MANY_PIXELS',
    message: /30000x30000/
  },
  {
    name: 'an image whose header is cut off',
    request: async () => multipartBody([{ filename: 'cut.png', content: png.subarray(0, 20) }]),
    status: 422,
    code: 'UNREADABLE_IMAGE'
  }
]

/** A real PNG declaring 30000x30000 pixels: a valid header, then one compressed row. */
async function pngBomb (): Promise<Buffer> {
  const small = await sharp({ create: { width: 1, height: 1, channels: 3, background: '#000' } }).png().toBuffer()
  const bomb = Buffer.from(small)
  bomb.writeUInt32BE(30000, 16)
  bomb.writeUInt32BE(30000, 20)
  return bomb
}

for (const c of cases) {
  t.test(`${c.name}: ${c.status} ${c.code}, nothing stored`, async t => {
    const { app, config, clients } = await buildTestApp(t, stack.endpoints, c.env)
    const res = await app.inject({ method: 'POST', url: '/upload', ...await c.request() })
    t.equal(res.statusCode, c.status)
    t.match(res.headers['content-type'], /^application\/json/)
    const body = res.json()
    t.same(Object.keys(body).sort(), ['code', 'error', 'message', 'statusCode'])
    t.match(body, { statusCode: c.status, code: c.code, message: c.message ?? /\S/ })
    t.same(await storedState(clients, config), { keys: [], items: [] })
  })
}

t.test('a file exactly at MAX_UPLOAD_BYTES is accepted', async t => {
  const { app } = await buildTestApp(t, stack.endpoints, { MAX_UPLOAD_BYTES: String(png.length) })
  const res = await app.inject({ method: 'POST', url: '/upload', ...await multipartBody([{ filename: 'a.png', content: png }]) })
  t.equal(res.statusCode, 201)
  t.equal(res.json().size, png.length)
})

t.test('a file just under the pixel limit is accepted', async t => {
  const { app } = await buildTestApp(t, stack.endpoints, { MAX_PIXELS: String(64 * 48) })
  const res = await app.inject({ method: 'POST', url: '/upload', ...await multipartBody([{ filename: 'a.png', content: png }]) })
  t.equal(res.statusCode, 201)
})

t.test('one bad file among good ones: the whole request is refused and nothing is kept', async t => {
  const { app, config, clients } = await buildTestApp(t, stack.endpoints)
  const files = [
    { filename: 'good-1.png', content: png },
    { filename: 'good-2.jpg', content: fixture('image.jpg') },
    { filename: 'evil.gif', content: Buffer.from('<script>alert(1)</script>') },
    { filename: 'good-3.webp', content: fixture('image.webp') }
  ]
  const res = await app.inject({ method: 'POST', url: '/upload', ...await multipartBody(files) })
  t.equal(res.statusCode, 415)
  t.match(res.json(), { code: 'UNSUPPORTED_TYPE', message: /evil\.gif/ })
  t.same(await storedState(clients, config), { keys: [], items: [] })
})

t.test('unknown routes answer a JSON 404', async t => {
  const { app } = await buildTestApp(t, stack.endpoints)
  const res = await app.inject({ method: 'GET', url: '/nope?x=1' })
  t.equal(res.statusCode, 404)
  t.match(res.json(), { code: 'NOT_FOUND', message: 'Route GET /nope was not found.' })
})
