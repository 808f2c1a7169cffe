import t from 'tap'
import { buildTestApp } from '../helpers/build-app.js'
import { startEmbeddedStack } from '../helpers/stand-ins.js'
import { fixture, multipartBody } from '../helpers/multipart.js'
import { readObject, sha256, storedState } from '../helpers/inspect.js'
import { attachProcessor } from '../helpers/processing.js'

const stack = await startEmbeddedStack()
t.teardown(() => stack.close())

const formats = [
  { file: 'image.jpg', type: 'image/jpeg', width: 64, height: 48 },
  { file: 'image.png', type: 'image/png', width: 64, height: 48 },
  { file: 'image.gif', type: 'image/gif', width: 64, height: 48 },
  { file: 'image.webp', type: 'image/webp', width: 64, height: 48 },
  { file: 'image.avif', type: 'image/avif', width: 64, height: 48 },
  { file: 'image.tiff', type: 'image/tiff', width: 64, height: 48 },
  { file: 'image.bmp', type: 'image/bmp', width: 64, height: 48 },
  // heif-enc codes 64x48 in 64x64 HEVC blocks; the header (ispe) reports the coded size.
  { file: 'image.heic', type: 'image/heic', width: 64, height: 64 }
]

for (const format of formats) {
  t.test(`stores a ${format.type} byte for byte with its metadata`, async t => {
    const { app, config, clients } = await buildTestApp(t, stack.endpoints)
    const content = fixture(format.file)
    // The client's claimed type is wrong on purpose: the sniffed type must win.
    const body = await multipartBody([{ filename: format.file, content, type: 'text/plain' }])
    const res = await app.inject({ method: 'POST', url: '/upload', ...body })

    t.equal(res.statusCode, 201)
    const record = res.json()
    t.match(record, {
      id: /^[0-9a-f-]{36}$/,
      key: `originals/${record.id}`,
      bucket: config.bucket,
      filename: format.file,
      contentType: format.type,
      size: content.length,
      sha256: sha256(content),
      width: format.width,
      height: format.height,
      status: 'processing',
      deleteToken: /^[A-Za-z0-9_-]{43}$/
    })
    t.ok(Math.abs(Date.parse(record.uploadedAt) - Date.now()) < 60_000, 'uploadedAt is now, ISO-8601')
    t.match(record.uploadedAt, /Z$/)
    t.equal(res.headers.location, `/images/${record.id}`)

    const stored = await readObject(clients.s3, config.bucket, record.key)
    t.equal(sha256(stored.bytes), sha256(content), 'stored bytes equal sent bytes')
    t.equal(stored.contentType, format.type, 'object Content-Type is the sniffed type')

    const { keys, items } = await storedState(clients, config)
    t.same(keys, [record.key])
    t.equal(items.length, 1)
    // The table keeps the delete token's hash, never the token.
    const { deleteToken, ...item } = record
    t.match(items[0], { ...item, kind: 'image', deleteTokenHash: sha256(Buffer.from(deleteToken)) })
    t.notOk('deleteToken' in items[0]!)
  })
}

t.test('stores several files from one request and answers with all of them', async t => {
  const { app, config, clients } = await buildTestApp(t, stack.endpoints)
  const files = ['image.png', 'image.jpg', 'image.webp'].map(name => ({ filename: name, content: fixture(name) }))
  const res = await app.inject({ method: 'POST', url: '/upload', ...await multipartBody(files, { caption: 'ignored text field' }) })

  t.equal(res.statusCode, 201)
  const { images } = res.json()
  t.equal(images.length, 3)
  t.same(images.map((image: { filename: string }) => image.filename), ['image.png', 'image.jpg', 'image.webp'])
  t.equal(res.headers.location, '/images')
  const { keys, items } = await storedState(clients, config)
  t.same(keys, images.map((image: { key: string }) => image.key).sort())
  t.equal(items.length, 3)
})

t.test('a browser form post is redirected to the image page, which shows the image', async t => {
  const { app } = await buildTestApp(t, stack.endpoints)
  const body = await multipartBody([{ filename: 'holiday <b>.png', content: fixture('image.png') }])
  const res = await app.inject({
    method: 'POST',
    url: '/upload',
    payload: body.payload,
    headers: { ...body.headers, accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' }
  })
  t.equal(res.statusCode, 303)
  t.match(res.headers.location, /^\/gallery\/[0-9a-f-]{36}#token=[A-Za-z0-9_-]{43}$/, 'the delete token rides in the fragment')
  const pagePath = String(res.headers.location).split('#')[0]!

  const page = await app.inject({ method: 'GET', url: pagePath })
  t.equal(page.statusCode, 200)
  t.match(page.headers['content-type'], /^text\/html/)
  t.match(page.body, 'holiday &lt;b&gt;.png', 'the file name is escaped')
  t.notMatch(page.body, '<b>')

  const gallery = await app.inject({ method: 'GET', url: '/gallery' })
  t.match(gallery.body, pagePath)
})

t.test('GET /health answers ok', async t => {
  const { app } = await buildTestApp(t, stack.endpoints)
  const res = await app.inject({ method: 'GET', url: '/health' })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { status: 'ok' })
})

t.test('an AVIF whose major brand is the generic mif1 is sniffed as AVIF and decoded', async t => {
  const target = await buildTestApp(t, stack.endpoints)
  const processing = attachProcessor(t, stack.s3rver, target)
  const avif = Buffer.from(fixture('image.avif'))
  avif.write('mif1', 8, 'latin1')
  const res = await target.app.inject({ method: 'POST', url: '/upload', ...await multipartBody([{ filename: 'generic.avif', content: avif }]) })
  t.equal(res.statusCode, 201, res.body)
  t.match(res.json(), { contentType: 'image/avif', width: 64, height: 48 })
  t.match(await processing.outcomeOf(res.json().id), { result: 'ready' })
})
