/**
 * Faults on the upload path, against the faithful stand-ins: fauxqs (S3 multipart that really
 * aborts) and DynamoDB Local. Each case proves nothing is left behind.
 */
import t, { type Test } from 'tap'
import { request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { buildTestApp, testClients, testConfig } from '../helpers/build-app.js'
import { CREDENTIALS, freePort, startDynamoDbLocal, startFauxqsS3 } from '../helpers/stand-ins.js'
import { fixture, largePng, multipartBody } from '../helpers/multipart.js'
import { eventually, isMultipartUploadGone, storedState, trackMultipartUploads } from '../helpers/inspect.js'
import { createAwsClients } from '../../app/plugins/aws-clients.js'

const MiB = 1024 * 1024
const [s3, dynamodb] = await Promise.all([startFauxqsS3(), startDynamoDbLocal()])
t.teardown(() => Promise.all([s3.stop(), dynamodb.stop()]))
const target = { s3: s3.url, dynamodb: dynamodb.url }
const env = { S3_PART_SIZE: String(5 * MiB), MAX_UPLOAD_BYTES: String(11 * MiB) }

/** The app's S3 client, watched so the test can see which multipart uploads it started and aborted. */
async function appWithTrackedS3 (t: Test, extraEnv: Record<string, string> = {}) {
  const { config, clients } = await buildTestApp(t, target, { ...env, ...extraEnv })
  const s3Client = testClients(config).s3
  const tracker = trackMultipartUploads(s3Client)
  const built = await buildTestApp(t, target, { ...env, ...extraEnv, BUCKET_NAME: config.bucket, TABLE_NAME: config.table }, { s3: s3Client })
  return { ...built, clients, tracker }
}

/** Real clients aimed at a port nobody listens on: every call fails with a refused connection. */
async function clientsForClosedPort<K extends 's3' | 'dynamodb'> (service: K) {
  const closed = `http://127.0.0.1:${await freePort()}`
  const clients = createAwsClients(testConfig(target), { endpoints: { [service]: closed }, credentials: CREDENTIALS })
  return (service === 's3' ? clients.s3 : clients.ddb) as K extends 's3' ? typeof clients.s3 : typeof clients.ddb
}

function assertNoError5xxLeak (t: Test, body: string): void {
  t.notMatch(body, /ECONNREFUSED|127\.0\.0\.1|at .*\.(ts|js):\d+|Error:/, 'no internals in the body')
}

t.test('a file over the limit after parts were sent: 413, multipart upload aborted, nothing stored', async t => {
  const { app, config, clients, tracker } = await appWithTrackedS3(t)
  const res = await app.inject({ method: 'POST', url: '/upload', ...await multipartBody([{ filename: 'huge.png', content: largePng(12 * MiB) }]) })
  t.equal(res.statusCode, 413)
  t.match(res.json(), { code: 'FILE_TOO_LARGE', message: /huge\.png/ })
  t.equal(tracker.started.length, 1, 'a multipart upload had started')
  t.ok(await isMultipartUploadGone(clients.s3, config.bucket, tracker.started[0]!), 'and S3 no longer knows it')
  t.same(await storedState(clients, config), { keys: [], items: [] })
})

t.test('a large file followed by a refused one: the stored large object is removed', async t => {
  const { app, config, clients, tracker } = await appWithTrackedS3(t)
  const files = [
    { filename: 'large.png', content: largePng(10 * MiB) },
    { filename: 'fake.jpg', content: Buffer.from('MZ\x90\x00 not an image at all') }
  ]
  const res = await app.inject({ method: 'POST', url: '/upload', ...await multipartBody(files) })
  t.equal(res.statusCode, 415)
  t.equal(tracker.started.length, 1, 'the large file went up as a multipart upload')
  t.same(await storedState(clients, config), { keys: [], items: [] })
})

t.test('S3 unreachable: 503 STORAGE_UNAVAILABLE with Retry-After, no item written', async t => {
  const deadS3 = await clientsForClosedPort('s3')
  const { app, config, clients } = await buildTestApp(t, target, env, { s3: deadS3 })
  const res = await app.inject({ method: 'POST', url: '/upload', ...await multipartBody([{ filename: 'a.png', content: fixture('image.png') }]) })
  t.equal(res.statusCode, 503)
  t.match(res.json(), { code: 'STORAGE_UNAVAILABLE' })
  t.equal(res.headers['retry-after'], '5')
  assertNoError5xxLeak(t, res.body)
  t.same(await storedState(clients, config), { keys: [], items: [] })
})

t.test('DynamoDB unreachable after the object is stored: 503 METADATA_UNAVAILABLE, object deleted', async t => {
  const deadDdb = await clientsForClosedPort('dynamodb')
  const { app, config, clients } = await buildTestApp(t, target, env, { ddb: deadDdb })
  const res = await app.inject({ method: 'POST', url: '/upload', ...await multipartBody([{ filename: 'a.png', content: fixture('image.png') }]) })
  t.equal(res.statusCode, 503)
  t.match(res.json(), { code: 'METADATA_UNAVAILABLE' })
  assertNoError5xxLeak(t, res.body)
  t.same(await storedState(clients, config), { keys: [], items: [] })
})

t.test('DynamoDB refuses the second of three items: the first item and all objects are removed', async t => {
  const { config } = await buildTestApp(t, target)
  const ddb = testClients(config).ddb
  let puts = 0
  // Fault injection no stand-in can produce: one write in the middle of a batch fails.
  ddb.middlewareStack.add((next, context) => async (args) => {
    if (context.commandName === 'PutItemCommand' && ++puts === 2) {
      throw Object.assign(new Error('injected: throughput exceeded'), { name: 'ProvisionedThroughputExceededException' })
    }
    return next(args)
  }, { step: 'initialize', name: 'failSecondPut' })
  const { app, clients } = await buildTestApp(t, target, { BUCKET_NAME: config.bucket, TABLE_NAME: config.table }, { ddb })
  const files = ['image.png', 'image.jpg', 'image.gif'].map(name => ({ filename: name, content: fixture(name) }))
  const res = await app.inject({ method: 'POST', url: '/upload', ...await multipartBody(files) })
  t.equal(res.statusCode, 503)
  t.equal(puts, 2, 'the third item was never attempted')
  t.same(await storedState(clients, config), { keys: [], items: [] })
})

t.test('a client that disconnects mid-upload leaves nothing behind', async t => {
  const { app, config, clients, tracker } = await appWithTrackedS3(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  const body = await multipartBody([{ filename: 'big.png', content: largePng(10 * MiB) }])
  const sent = body.payload.subarray(0, 7 * MiB)

  const req = request({ port, host: '127.0.0.1', method: 'POST', path: '/upload', headers: { ...body.headers, 'content-length': body.payload.length } })
  req.on('error', () => {})
  req.write(sent)
  t.ok(await eventually(() => tracker.started.length === 1), 'the server started the multipart upload')
  req.destroy()

  t.ok(await eventually(() => tracker.aborted.length === 1), 'the multipart upload was aborted')
  t.equal(tracker.started.length, 1)
  t.ok(await isMultipartUploadGone(clients.s3, config.bucket, tracker.started[0]!), 'S3 no longer knows it')
  t.same(await storedState(clients, config), { keys: [], items: [] })
})
