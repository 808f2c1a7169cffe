import t from 'tap'
import { buildTestApp } from '../helpers/build-app.js'
import { startEmbeddedStack } from '../helpers/stand-ins.js'
import { fixture } from '../helpers/multipart.js'
import { readObject, scanItems, sha256 } from '../helpers/inspect.js'

const stack = await startEmbeddedStack()
t.teardown(() => stack.close())
const MiB = 1024 * 1024

t.test('grants a presigned POST pinned to one key, the exact size and the declared type', async t => {
  const { app, config, clients } = await buildTestApp(t, stack.endpoints)
  // What the SDK sets after sampling a Date header (second precision) from a slow response.
  clients.s3.config.systemClockOffset = -1500
  const before = Date.now() - 1500
  const res = await app.inject({ method: 'POST', url: '/uploads', payload: { filename: '../big photo.jpg', size: 20 * MiB, type: 'image/jpeg' } })
  t.equal(res.statusCode, 201)
  const grant = res.json()
  t.match(grant, { id: /^[0-9a-f-]{36}$/, status: 'pending', upload: { url: String, fields: Object } })
  t.equal(res.headers.location, `/images/${grant.id}`)

  const fields = grant.upload.fields as Record<string, string>
  t.equal(fields['key'], `incoming/${grant.id}`, 'never the original\'s key: only the processor moves it there')
  t.equal(fields['Content-Type'], 'image/jpeg')
  const policy = JSON.parse(Buffer.from(fields['Policy']!, 'base64').toString())
  t.same(policy.conditions.filter((c: unknown) => Array.isArray(c)), [
    ['content-length-range', 20 * MiB, 20 * MiB],
    ['eq', '$Content-Type', 'image/jpeg']
  ])
  t.ok(policy.conditions.some((c: Record<string, string>) => c['bucket'] === config.bucket), 'pinned to the bucket')
  t.ok(policy.conditions.some((c: Record<string, string>) => c['key'] === `incoming/${grant.id}`), 'pinned to the exact key')
  const expires = Date.parse(policy.expiration)
  t.ok(expires > before && expires <= Date.now() + 300_000 + 1000, 'expires within DIRECT_UPLOAD_EXPIRY_SECONDS')
  // The SDK signs with its clock-skew-corrected clock, which may lag Date.now() by a second or
  // more: expiresAt must be the signed expiration itself, never a time computed beside it.
  t.equal(Date.parse(grant.expiresAt), expires, 'expiresAt is the policy expiration')

  const items = await scanItems(clients.ddb, config.table)
  t.equal(items.length, 1)
  t.match(items[0], { id: grant.id, key: `originals/${grant.id}`, status: 'pending', filename: 'big photo.jpg', size: 20 * MiB, contentType: 'image/jpeg' })
  t.notOk('kind' in items[0]!, 'a pending item stays out of the listing index')
  t.match(grant.deleteToken, /^[A-Za-z0-9_-]{43}$/, 'a one-time delete token, like an upload answer')
  t.notOk(JSON.stringify(items[0]).includes(grant.deleteToken), 'only its hash is stored')
  t.ok((items[0]!['expiresAt'] as number) > Date.now() / 1000 + 300, 'the item carries a TTL past the grant')
})

t.test('the browser can POST the file to S3 with the granted form', async t => {
  const { app, config, clients } = await buildTestApp(t, stack.endpoints)
  const image = fixture('photo-rotated.jpg')
  const res = await app.inject({ method: 'POST', url: '/uploads', payload: { filename: 'photo.jpg', size: image.length, type: 'image/jpeg' } })
  const { upload, id } = res.json()
  const form = new FormData()
  for (const [name, value] of Object.entries(upload.fields as Record<string, string>)) form.append(name, value)
  form.append('file', new Blob([new Uint8Array(image)], { type: 'image/jpeg' }), 'photo.jpg')
  const posted = await fetch(upload.url, { method: 'POST', body: form })
  t.ok(posted.status >= 200 && posted.status < 300, `S3 accepted the POST (${posted.status})`)
  const stored = await readObject(clients.s3, config.bucket, `incoming/${id}`)
  t.equal(sha256(stored.bytes), sha256(image))
})

const refusals: Array<[string, Record<string, unknown>, number, string]> = [
  ['a type outside the allowed list', { filename: 'a.svg', size: 10, type: 'image/svg+xml' }, 415, 'UNSUPPORTED_TYPE'],
  ['a size over MAX_DIRECT_UPLOAD_BYTES', { filename: 'a.png', size: 50 * MiB + 1, type: 'image/png' }, 413, 'FILE_TOO_LARGE'],
  ['a zero size', { filename: 'a.png', size: 0, type: 'image/png' }, 400, 'VALIDATION_FAILED'],
  ['a missing filename', { size: 10, type: 'image/png' }, 400, 'VALIDATION_FAILED']
]

t.test('a key chosen by the client is ignored: keys come from the generated id', async t => {
  const { app } = await buildTestApp(t, stack.endpoints)
  const res = await app.inject({ method: 'POST', url: '/uploads', payload: { filename: 'a.png', size: 10, type: 'image/png', key: 'originals/mine' } })
  t.equal(res.statusCode, 201)
  t.equal(res.json().upload.fields.key, `incoming/${res.json().id}`)
})

for (const [name, payload, status, code] of refusals) {
  t.test(`refuses ${name}`, async t => {
    const { app, config, clients } = await buildTestApp(t, stack.endpoints)
    const res = await app.inject({ method: 'POST', url: '/uploads', payload })
    t.equal(res.statusCode, status)
    t.match(res.json(), { statusCode: status, code })
    t.same(await scanItems(clients.ddb, config.table), [])
  })
}
