import t from 'tap'
import { PutCommand } from '@aws-sdk/lib-dynamodb'
import { buildTestApp } from '../helpers/build-app.js'
import { startEmbeddedStack } from '../helpers/stand-ins.js'
import { fixture, multipartBody } from '../helpers/multipart.js'
import { readObject, sha256 } from '../helpers/inspect.js'
import { attachProcessor } from '../helpers/processing.js'
import { newImageId } from '../../app/lib/keys.js'

const stack = await startEmbeddedStack()
t.teardown(() => stack.close())
const { app, config, clients } = await buildTestApp(t, stack.endpoints, { PRESIGN_EXPIRY_SECONDS: '60' })
const processing = attachProcessor(t, stack.s3rver, { config, clients })

// FormData percent-encodes quotes in file names; test/lib/content-disposition.test.ts covers them.
const NAME = 'Résumé; x=1 (2) 100%.png'
const upload = await app.inject({ method: 'POST', url: '/upload', ...await multipartBody([{ filename: NAME, content: fixture('image.png') }]) })
const image = upload.json() as { id: string, key: string, deleteToken: string }
await processing.outcomeOf(image.id)

t.test('GET /images/:id is the record: status, dimensions, variants, and no secret', async t => {
  const res = await app.inject({ method: 'GET', url: `/images/${image.id}` })
  t.equal(res.statusCode, 200)
  const record = res.json()
  t.match(record, {
    id: image.id,
    filename: NAME,
    contentType: 'image/png',
    status: 'ready',
    width: 64,
    height: 48,
    variants: {
      thumb: { key: `processed/${image.id}/thumb.webp`, width: 64, height: 48, contentType: 'image/webp', size: Number },
      display: { key: `processed/${image.id}/display.webp`, width: 64, height: 48, contentType: 'image/webp', size: Number }
    }
  })
  t.ok(image.deleteToken, 'the upload response carried the delete token')
  for (const field of ['deleteToken', 'deleteTokenHash', 'kind']) t.notOk(field in record, `no ${field}`)
  t.notOk(res.body.includes(image.deleteToken))
})

t.test('unknown ids are 404, malformed ids and variants 400', async t => {
  for (const path of ['', '/original', '/thumb', '/display']) {
    const unknown = await app.inject({ method: 'GET', url: `/images/${newImageId()}${path}` })
    t.equal(unknown.statusCode, 404, `unknown ${path}`)
    t.equal(unknown.json().code, 'NOT_FOUND')
    const malformed = await app.inject({ method: 'GET', url: `/images/not-an-id${path}` })
    t.equal(malformed.statusCode, 400, `malformed ${path}`)
    t.equal(malformed.json().code, 'VALIDATION_FAILED')
  }
  const variant = await app.inject({ method: 'GET', url: `/images/${image.id}/huge` })
  t.equal(variant.statusCode, 400)
})

/** Follows the redirect with a real HTTP client, as a browser would. */
async function follow (path: string): Promise<{ location: URL, response: Response, bytes: Buffer }> {
  const res = await app.inject({ method: 'GET', url: path })
  if (res.statusCode !== 302) throw new Error(`${path}: ${res.statusCode} ${res.body}`)
  const location = new URL(res.headers.location as string)
  const response = await fetch(location)
  return { location, response, bytes: Buffer.from(await response.arrayBuffer()) }
}

t.test('/original redirects to a short-lived presigned URL serving the exact bytes, type and a safe name', async t => {
  const res = await app.inject({ method: 'GET', url: `/images/${image.id}/original` })
  t.equal(res.statusCode, 302)
  t.match(res.headers['cache-control'], 'private, max-age=30')
  const { location, response, bytes } = await follow(`/images/${image.id}/original`)
  t.equal(location.origin, stack.endpoints.s3, 'straight to S3')
  t.equal(location.searchParams.get('X-Amz-Expires'), '60', 'expires after PRESIGN_EXPIRY_SECONDS')
  t.ok(location.searchParams.get('X-Amz-Signature'), 'signed')
  t.equal(response.status, 200)
  t.equal(sha256(bytes), sha256(fixture('image.png')), 'the exact original bytes')
  t.equal(response.headers.get('content-type'), 'image/png')
  const disposition = response.headers.get('content-disposition')!
  t.equal(disposition, 'inline; filename="Resume; x=1 (2) 100_.png"; filename*=UTF-8\'\'R%C3%A9sum%C3%A9%3B%20x%3D1%20%282%29%20100%25.png')
  t.equal(decodeURIComponent(disposition.split("UTF-8''")[1]!), NAME, 'filename* round-trips the exact name')
})

t.test('?download=true asks S3 for an attachment with the same safe name', async t => {
  const cases: Array<[string, string]> = [['original', 'Resume; x=1 (2) 100_.png'], ['thumb', 'Resume; x=1 (2) 100_-thumb.webp']]
  for (const [path, name] of cases) {
    const { response } = await follow(`/images/${image.id}/${path}?download=true`)
    t.equal(response.status, 200)
    t.ok(response.headers.get('content-disposition')?.startsWith(`attachment; filename="${name}"; filename*=UTF-8''`), path)
  }
  const { response } = await follow(`/images/${image.id}/original?download=false`)
  t.match(response.headers.get('content-disposition'), /^inline;/)
  const bad = await app.inject({ method: 'GET', url: `/images/${image.id}/original?download=maybe` })
  t.equal(bad.statusCode, 400)
  t.equal(bad.json().code, 'VALIDATION_FAILED')
})

t.test('/thumb and /display redirect to their WebP objects', async t => {
  for (const variant of ['thumb', 'display']) {
    const { response, bytes } = await follow(`/images/${image.id}/${variant}`)
    t.equal(response.status, 200)
    t.equal(response.headers.get('content-type'), 'image/webp')
    t.match(response.headers.get('content-disposition'), `filename="Resume; x=1 (2) 100_-${variant}.webp"`)
    const stored = await readObject(clients.s3, config.bucket, `processed/${image.id}/${variant}.webp`)
    t.equal(sha256(bytes), sha256(stored.bytes))
  }
})

t.test('while an image is processing its variants are 404 NOT_READY, its original is there', async t => {
  // Another app on a bucket no processor watches: its image stays `processing`.
  const idle = await buildTestApp(t, stack.endpoints)
  const res = await idle.app.inject({ method: 'POST', url: '/upload', ...await multipartBody([{ filename: 'a.jpg', content: fixture('image.jpg') }]) })
  const { id } = res.json()
  t.equal((await idle.app.inject({ method: 'GET', url: `/images/${id}` })).json().status, 'processing')
  const thumb = await idle.app.inject({ method: 'GET', url: `/images/${id}/thumb` })
  t.equal(thumb.statusCode, 404)
  t.match(thumb.json(), { code: 'NOT_READY', message: /still being processed/ })
  t.equal(thumb.headers['retry-after'], '2')
  t.equal((await idle.app.inject({ method: 'GET', url: `/images/${id}/original` })).statusCode, 302)
})

t.test('a direct upload still pending is shown as pending; it has no file to serve yet', async t => {
  const id = newImageId()
  await clients.ddb.send(new PutCommand({
    TableName: config.table,
    Item: { id, key: `originals/${id}`, bucket: config.bucket, filename: 'big.jpg', contentType: 'image/jpeg', size: 5, status: 'pending', uploadedAt: new Date().toISOString(), expiresAt: 1 }
  }))
  const res = await app.inject({ method: 'GET', url: `/images/${id}` })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { id, filename: 'big.jpg', contentType: 'image/jpeg', size: 5, status: 'pending', uploadedAt: res.json().uploadedAt })
  t.equal((await app.inject({ method: 'GET', url: `/images/${id}/original` })).json().code, 'NOT_READY')
})

t.test('the image page shows the display variant once ready', async t => {
  const page = await app.inject({ method: 'GET', url: `/gallery/${image.id}` })
  t.equal(page.statusCode, 200)
  t.match(page.body, `<img src="/images/${image.id}/display"`)
  t.match(page.body, `alt="${NAME}"`)
  const gallery = await app.inject({ method: 'GET', url: '/gallery' })
  t.match(gallery.body, `<img src="/images/${image.id}/thumb"`)
})
