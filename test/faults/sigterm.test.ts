/**
 * SIGTERM to `node app` while uploads are in flight: uploads that can finish within
 * SHUTDOWN_GRACE_MS complete (201, object and item); the rest are cut when the grace period
 * ends and rolled back (multipart uploads aborted, nothing stored); the process exits 0.
 * S3 is fauxqs behind a recorder, so the multipart uploads of the child process can be checked.
 */
import t from 'tap'
import { destroyAwsClients } from '../../app/plugins/aws-clients.js'
import { testClients, testConfig } from '../helpers/build-app.js'
import { startDynalite } from '../helpers/dynalite.js'
import { eventually, isMultipartUploadGone, readObject, sha256, storedState } from '../helpers/inspect.js'
import { fixture, largePng, multipartBody } from '../helpers/multipart.js'
import { spawnNodeApp, standInEnv, waitForStartup } from '../helpers/node-app.js'
import { rawConnection, requestHead, type RawConnection } from '../helpers/raw-http.js'
import { startS3Recorder } from '../helpers/s3-recorder.js'
import { startFauxqsS3 } from '../helpers/stand-ins.js'

const MiB = 1024 * 1024
const [s3, dynamodb] = await Promise.all([startFauxqsS3(), startDynalite()])
const recorder = await startS3Recorder(s3.url)
const names = { BUCKET_NAME: 'sigterm-bucket', TABLE_NAME: 'sigterm-table' }
const config = testConfig({ s3: s3.url, dynamodb: dynamodb.url }, names)
const clients = testClients(config)
t.teardown(async () => {
  destroyAwsClients(clients)
  await Promise.all([recorder.close(), s3.stop(), dynamodb.stop()])
})

interface Upload { name: string, content: Buffer, request: Buffer }

async function upload (name: string, content: Buffer): Promise<Upload> {
  const body = await multipartBody([{ filename: name, content }])
  const head = requestHead({ 'Content-Type': body.headers['content-type']!, 'Content-Length': body.payload.length, Connection: 'close' })
  return { name, content, request: Buffer.concat([Buffer.from(head), body.payload]) }
}

/** Sends the first `sent` bytes at once, then one byte every 200 ms until the server hangs up. */
async function trickle (port: number, { request }: Upload, sent: number): Promise<RawConnection> {
  const connection = rawConnection(port, 60_000)
  await connection.write(request.subarray(0, sent))
  let at = sent
  const drip = setInterval(() => {
    if (at < request.length) connection.write(request.subarray(at, ++at)).catch(() => {})
  }, 200)
  connection.response.finally(() => clearInterval(drip)).catch(() => {})
  return connection
}

t.test('SIGTERM during uploads: the ones that can finish do, the rest roll back, exit 0', async t => {
  const app = spawnNodeApp({
    ...standInEnv({ s3: recorder.url, dynamodb: dynamodb.url }),
    PORT: '0',
    ...names,
    MAX_UPLOAD_BYTES: String(11 * MiB),
    // Long enough for the uploads in flight to finish on a loaded machine; the trickling ones
    // need minutes, so they are cut whatever the grace.
    SHUTDOWN_GRACE_MS: '8000',
    LOG_LEVEL: 'info'
  })
  t.teardown(() => { app.child.kill('SIGKILL') })
  const port = Number(new URL((await waitForStartup(app)).url).port)

  const quick = await Promise.all(['image.png', 'image.jpg', 'image.gif', 'image.webp'].map(name => upload(name, fixture(name))))
  const slowSmall = await Promise.all(['slow-1.jpg', 'slow-2.jpg'].map(name => upload(name, fixture('photo-rotated.jpg'))))
  const slowLarge = await Promise.all(['slow-large-1.png', 'slow-large-2.png'].map((name, i) => upload(name, largePng(7 * MiB + i))))
  const lateLarge = await upload('late-large.png', largePng(7 * MiB + 7))

  const finishing = quick.map(u => ({ upload: u, connection: rawConnection(port, 30_000) }))
  await Promise.all(finishing.map(({ upload, connection }) => connection.write(upload.request)))
  const cut = [
    ...await Promise.all(slowSmall.map(async u => ({ upload: u, connection: await trickle(port, u, u.request.length / 2) }))),
    ...await Promise.all(slowLarge.map(async u => ({ upload: u, connection: await trickle(port, u, 6 * MiB) })))
  ]
  t.ok(await eventually(() => recorder.started.length === 2, 10_000), 'the slow large uploads have multipart uploads in S3')
  const late = { upload: lateLarge, connection: rawConnection(port, 30_000) }
  await late.connection.write(lateLarge.request)
  t.ok(await eventually(() => recorder.started.length === 3, 10_000), 'the late upload is in flight (its multipart upload started)')

  app.child.kill('SIGTERM')
  const code = await app.exited
  t.equal(code, 0, 'exit code 0')
  t.ok(app.logs.some(line => line['msg'] === 'shut down cleanly'))

  const completed = []
  for (const { upload, connection } of [...finishing, late]) {
    const res = await connection.response
    t.equal(res.status, 201, `${upload.name} finished within the grace period`)
    if (res.status === 201) completed.push({ upload, record: JSON.parse(res.body) as { id: string, key: string, sha256: string } })
  }
  for (const { upload, connection } of cut) {
    const res = await connection.response
    t.not(res.status, 201, `${upload.name} was cut when the grace period ended`)
  }

  const state = await storedState(clients, config)
  t.same(state.keys, completed.map(c => c.record.key).sort(), 'exactly the completed uploads have objects')
  t.same(state.items.map(item => item['id']).sort(), completed.map(c => c.record.id).sort(), 'and items')
  for (const { upload, record } of completed) {
    const stored = await readObject(clients.s3, config.bucket, record.key)
    t.equal(sha256(stored.bytes), sha256(upload.content), `${upload.name}: stored bytes are the sent bytes`)
  }
  t.equal(recorder.started.length, 3, 'three multipart uploads: two cut, one completed')
  for (const started of recorder.started) {
    t.ok(await isMultipartUploadGone(clients.s3, config.bucket, started), `${started.key}: completed or aborted`)
  }
})
