import t from 'tap'
import { PutObjectCommand } from '@aws-sdk/client-s3'
import { buildTestApp } from '../helpers/build-app.js'
import { startEmbeddedStack } from '../helpers/stand-ins.js'
import { fixture } from '../helpers/multipart.js'
import { listKeys, readObject, scanItems, sha256 } from '../helpers/inspect.js'
import { attachProcessor } from '../helpers/processing.js'

const stack = await startEmbeddedStack()
t.teardown(() => stack.close())
const { app, config, clients } = await buildTestApp(t, stack.endpoints)
const processing = attachProcessor(t, stack.s3rver, { config, clients })

interface Grant { id: string, deleteToken: string, upload: { url: string, fields: Record<string, string> } }

/** POST /uploads, then the file straight to S3 with the presigned POST, as the upload page does. */
async function directUpload (claim: { filename: string, size: number, type: string }, content: Buffer): Promise<string> {
  return (await directUploadWithToken(claim, content)).id
}

async function directUploadWithToken (claim: { filename: string, size: number, type: string }, content: Buffer): Promise<Grant> {
  const res = await app.inject({ method: 'POST', url: '/uploads', payload: claim })
  if (res.statusCode !== 201) throw new Error(`grant: ${res.statusCode} ${res.body}`)
  const grant: Grant = res.json()
  await postWith(grant, content)
  return grant
}

async function postWith (grant: Grant, content: Buffer): Promise<void> {
  const form = new FormData()
  for (const [name, value] of Object.entries(grant.upload.fields)) form.append(name, value)
  form.append('file', new Blob([new Uint8Array(content)]), 'file')
  const posted = await fetch(grant.upload.url, { method: 'POST', body: form })
  if (posted.status >= 300) throw new Error(`presigned POST: ${posted.status} ${await posted.text()}`)
}

const keysOf = async (id: string): Promise<string[]> => (await listKeys(clients.s3, config.bucket)).filter(key => key.includes(id)).sort()

t.test('a direct upload that lands is checked like POST /upload, moved to originals/, then processed and listed', async t => {
  const content = fixture('photo-rotated.jpg')
  const id = await directUpload({ filename: 'big photo.jpg', size: content.length, type: 'image/jpeg' }, content)
  t.match(await processing.outcomeOf(id), { result: 'admitted', key: `incoming/${id}`, detail: `moved to originals/${id}` })
  t.match(await processing.outcomeOf(id), { result: 'ready', key: `originals/${id}` })
  t.same(await keysOf(id), [`originals/${id}`, `processed/${id}/display.webp`, `processed/${id}/thumb.webp`], 'nothing left under incoming/')
  const record = (await app.inject({ method: 'GET', url: `/images/${id}` })).json()
  t.match(record, { status: 'ready', contentType: 'image/jpeg', sha256: sha256(content), size: content.length, width: 480, height: 640 })
  const [item] = (await scanItems(clients.ddb, config.table)).filter(i => i['id'] === id)
  t.equal(item?.['kind'], 'image', 'in the index now')
  t.notOk(item && 'expiresAt' in item, 'no longer expires')
  const listed = (await app.inject({ method: 'GET', url: '/images' })).json().images
  t.ok(listed.some((image: { id: string }) => image.id === id))
})

t.test('an object that is not what the grant allowed is deleted and its item is rejected with the reason', async t => {
  const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(200, 0x20)])
  const notImage = await directUpload({ filename: 'doc.png', size: pdf.length, type: 'image/png' }, pdf)
  t.match(await processing.outcomeOf(notImage), { result: 'refused', key: `incoming/${notImage}`, detail: /not an allowed image: detected application\/pdf/ })

  const png = fixture('image.png')
  // S3 (and the local stack's guard) refuse a POST outside the policy's content-length-range, so
  // the wrong-sized object is written the way only a holder of the bucket's keys could.
  const granted = await app.inject({ method: 'POST', url: '/uploads', payload: { filename: 'a.png', size: png.length + 10, type: 'image/png' } })
  const wrongSize: string = granted.json().id
  await clients.s3.send(new PutObjectCommand({ Bucket: config.bucket, Key: `incoming/${wrongSize}`, Body: png, ContentType: 'image/png' }))
  t.match(await processing.outcomeOf(wrongSize), { result: 'refused', detail: `The file has ${png.length} bytes, not the ${png.length + 10} bytes the upload was granted for.` })

  const keys = await listKeys(clients.s3, config.bucket)
  t.notOk(keys.some(key => key.includes(notImage) || key.includes(wrongSize)), 'objects deleted, no variants')
  const record = (await app.inject({ method: 'GET', url: `/images/${notImage}` })).json()
  t.match(record, { status: 'rejected', failureReason: /detected application\/pdf/ })
  const original = await app.inject({ method: 'GET', url: `/images/${notImage}/original` })
  t.match({ status: original.statusCode, body: original.json() }, { status: 404, body: { code: 'NOT_FOUND', message: /rejected.*detected application\/pdf/ } })
  const [item] = (await scanItems(clients.ddb, config.table)).filter(i => i['id'] === notImage)
  t.ok(typeof item?.['expiresAt'] === 'number', 'a rejected item keeps its TTL and expires')
  const listed = (await app.inject({ method: 'GET', url: '/images' })).json().images
  t.notOk(listed.some((image: { id: string }) => image.id === notImage || image.id === wrongSize), 'never listed')
})

t.test('the delete token of a direct-upload grant deletes the image it became', async t => {
  const content = fixture('image.png')
  const { id, deleteToken } = await directUploadWithToken({ filename: 'a.png', size: content.length, type: 'image/png' }, content)
  t.match(deleteToken, /^[A-Za-z0-9_-]{43}$/)
  t.match(await processing.outcomeOf(id), { result: 'admitted' })
  t.match(await processing.outcomeOf(id), { result: 'ready' })
  const wrong = await app.inject({ method: 'DELETE', url: `/images/${id}`, headers: { 'x-delete-token': deleteToken.replace(/^./, c => c === 'A' ? 'B' : 'A') } })
  t.equal(wrong.statusCode, 403)
  const deleted = await app.inject({ method: 'DELETE', url: `/images/${id}`, headers: { 'x-delete-token': deleteToken } })
  t.equal(deleted.statusCode, 204)
  t.notOk((await listKeys(clients.s3, config.bucket)).some(key => key.includes(id)), 'original and variants gone')
  t.notOk((await scanItems(clients.ddb, config.table)).some(i => i['id'] === id), 'item gone')
})

t.test('the type is the sniffed one: the original carries it, whatever the grant declared', async t => {
  const jpeg = fixture('image.jpg')
  const id = await directUpload({ filename: 'photo.png', size: jpeg.length, type: 'image/png' }, jpeg)
  t.match(await processing.outcomeOf(id), { result: 'admitted' })
  t.match(await processing.outcomeOf(id), { result: 'ready' })
  t.equal((await readObject(clients.s3, config.bucket, `originals/${id}`)).contentType, 'image/jpeg')
  t.match((await app.inject({ method: 'GET', url: `/images/${id}` })).json(), { contentType: 'image/jpeg', sha256: sha256(jpeg) })
})

t.test('a grant used again after its image was admitted cannot replace the original: the new file is deleted', async t => {
  const png = fixture('image.png')
  const grant = await directUploadWithToken({ filename: 'a.png', size: png.length, type: 'image/png' }, png)
  t.match(await processing.outcomeOf(grant.id), { result: 'admitted' })
  t.match(await processing.outcomeOf(grant.id), { result: 'ready' })
  const before = (await app.inject({ method: 'GET', url: `/images/${grant.id}` })).json()

  // The presigned POST stays valid until it expires; S3 would take the same form again.
  const html = Buffer.from('<html><script>alert(1)</script></html>'.padEnd(png.length, ' '))
  await postWith(grant, html)
  t.match(await processing.outcomeOf(grant.id), { result: 'skipped', key: `incoming/${grant.id}`, detail: 'stray upload deleted: the image is ready' })
  t.same(await keysOf(grant.id), [`originals/${grant.id}`, `processed/${grant.id}/display.webp`, `processed/${grant.id}/thumb.webp`])
  t.equal(sha256((await readObject(clients.s3, config.bucket, `originals/${grant.id}`)).bytes), sha256(png), 'the original is the admitted file')
  t.same((await app.inject({ method: 'GET', url: `/images/${grant.id}` })).json(), before, 'the record is unchanged')
})

t.test('a direct upload deleted while pending leaves nothing behind when its file lands later', async t => {
  const png = fixture('image.png')
  const res = await app.inject({ method: 'POST', url: '/uploads', payload: { filename: 'a.png', size: png.length, type: 'image/png' } })
  const grant: Grant = res.json()
  const deleted = await app.inject({ method: 'DELETE', url: `/images/${grant.id}`, headers: { 'x-delete-token': grant.deleteToken } })
  t.equal(deleted.statusCode, 204)
  await postWith(grant, png)
  t.match(await processing.outcomeOf(grant.id), { result: 'skipped', detail: 'stray upload deleted: no pending upload has this id' })
  t.same(await keysOf(grant.id), [], 'no object')
  t.notOk((await scanItems(clients.ddb, config.table)).some(item => item['id'] === grant.id), 'no item')
})
