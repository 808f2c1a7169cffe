// A direct upload is walked whole, as POST /upload walks a file: a real JPEG header followed by a
// script passes the first MiB's checks, but must not be hosted under originals/ as image/jpeg.
// The processor is called as Lambda calls it, on the object a browser's POST would leave.
import t, { type Test } from 'tap'
import { PutObjectCommand } from '@aws-sdk/client-s3'
import { buildTestApp } from '../helpers/build-app.js'
import { startEmbeddedStack } from '../helpers/stand-ins.js'
import { fixture } from '../helpers/multipart.js'
import { listKeys, scanItems } from '../helpers/inspect.js'
import { s3EventRecord } from '../helpers/s3-events.js'
import { incomingKey } from '../../app/lib/keys.js'
import { handleS3Event } from '../../app/processing/handle-event.js'

const stack = await startEmbeddedStack()
t.teardown(() => stack.close())
const silent = { debug () {}, info () {}, warn () {}, error () {} }

/** The JPEG fixture's segments up to its first frame header and quantisation tables, then a script. */
function jpegHeadThenScript (): Buffer {
  const jpeg = fixture('image.jpg')
  const scan = jpeg.indexOf(Buffer.from([0xff, 0xda]))
  const script = Buffer.from(`<script>${'alert(document.cookie);'.repeat(90)}</script>`)
  return Buffer.concat([jpeg.subarray(0, scan), script])
}

async function landed (t: Test, bytes: Buffer) {
  const { app, config, clients } = await buildTestApp(t, stack.endpoints)
  const grant = (await app.inject({ method: 'POST', url: '/uploads', payload: { filename: 'photo.jpg', size: bytes.length, type: 'image/jpeg' } })).json()
  await clients.s3.send(new PutObjectCommand({ Bucket: config.bucket, Key: incomingKey(grant.id), Body: bytes, ContentType: 'image/jpeg' }))
  const event = { Records: [s3EventRecord({ bucket: config.bucket, key: incomingKey(grant.id), size: bytes.length, eventName: 'ObjectCreated:Post' })] }
  const outcomes = await handleS3Event({ config, ...clients, log: silent }, event)
  const item = (await scanItems(clients.ddb, config.table)).find(entry => entry['id'] === grant.id)
  return { outcomes, item, keys: await listKeys(clients.s3, config.bucket) }
}

t.test('a JPEG header followed by 2 KB of script is refused at admission and deleted', async t => {
  const bytes = jpegHeadThenScript()
  t.ok(bytes.length > 2048)
  const { outcomes, item, keys } = await landed(t, bytes)
  t.match(outcomes, [{ result: 'refused', detail: /not a whole image\/jpeg file/ }])
  t.match(item, { status: 'rejected', failureReason: /not a whole image\/jpeg file/ })
  t.same(keys, [], 'nothing stays in S3: not under incoming/, not under originals/')
})

t.test('a whole JPEG is admitted', async t => {
  const { outcomes, item, keys } = await landed(t, fixture('image.jpg'))
  t.match(outcomes, [{ result: 'admitted' }])
  t.match(item, { status: 'processing' })
  t.equal(keys.length, 1)
})
