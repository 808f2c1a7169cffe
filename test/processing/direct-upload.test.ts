import t from 'tap'
import { buildTestApp } from '../helpers/build-app.js'
import { startEmbeddedStack } from '../helpers/stand-ins.js'
import { fixture } from '../helpers/multipart.js'
import { listKeys, scanItems, sha256 } from '../helpers/inspect.js'
import { attachProcessor } from '../helpers/processing.js'

const stack = await startEmbeddedStack()
t.teardown(() => stack.close())
const { app, config, clients } = await buildTestApp(t, stack.endpoints)
const processing = attachProcessor(t, stack.s3rver, { config, clients })

/** POST /uploads, then the file straight to S3 with the presigned POST, as the upload page does. */
async function directUpload (claim: { filename: string, size: number, type: string }, content: Buffer): Promise<string> {
  return (await directUploadWithToken(claim, content)).id
}

async function directUploadWithToken (claim: { filename: string, size: number, type: string }, content: Buffer): Promise<{ id: string, deleteToken: string }> {
  const res = await app.inject({ method: 'POST', url: '/uploads', payload: claim })
  if (res.statusCode !== 201) throw new Error(`grant: ${res.statusCode} ${res.body}`)
  const grant = res.json()
  const form = new FormData()
  for (const [name, value] of Object.entries(grant.upload.fields as Record<string, string>)) form.append(name, value)
  form.append('file', new Blob([new Uint8Array(content)]), claim.filename)
  const posted = await fetch(grant.upload.url, { method: 'POST', body: form })
  if (posted.status >= 300) throw new Error(`presigned POST: ${posted.status} ${await posted.text()}`)
  return { id: grant.id, deleteToken: grant.deleteToken }
}

t.test('a direct upload that lands is checked like POST /upload, then processed and listed', async t => {
  const content = fixture('photo-rotated.jpg')
  const id = await directUpload({ filename: 'big photo.jpg', size: content.length, type: 'image/jpeg' }, content)
  t.match(await processing.outcomeOf(id), { result: 'ready' })
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
  t.match(await processing.outcomeOf(notImage), { result: 'refused', detail: /not an allowed image: detected application\/pdf/ })

  const png = fixture('image.png')
  // s3rver ignores the POST policy's content-length-range; S3 would refuse this upload itself.
  const wrongSize = await directUpload({ filename: 'a.png', size: png.length + 10, type: 'image/png' }, png)
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
  t.match(await processing.outcomeOf(id), { result: 'ready' })
  const wrong = await app.inject({ method: 'DELETE', url: `/images/${id}`, headers: { 'x-delete-token': deleteToken.replace(/^./, c => c === 'A' ? 'B' : 'A') } })
  t.equal(wrong.statusCode, 403)
  const deleted = await app.inject({ method: 'DELETE', url: `/images/${id}`, headers: { 'x-delete-token': deleteToken } })
  t.equal(deleted.statusCode, 204)
  t.notOk((await listKeys(clients.s3, config.bucket)).some(key => key.includes(id)), 'original and variants gone')
  t.notOk((await scanItems(clients.ddb, config.table)).some(i => i['id'] === id), 'item gone')
})
