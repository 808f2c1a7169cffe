/**
 * S3 and DynamoDB failing for real while uploads run: S3 killed mid multipart upload and started
 * again on the same port, the table deleted, DynamoDB answering after the client's timeout.
 * Each upload gets a clear status, the server keeps serving, and once the fault clears nothing
 * is left behind.
 */
import t, { type Test } from 'tap'
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb'
import type { FastifyInstance } from 'fastify'
import { buildTestApp, testClients } from '../helpers/build-app.js'
import { startDynamoDbLocal, startFauxqsS3 } from '../helpers/stand-ins.js'
import { startFauxqsProcess } from '../helpers/fauxqs-process.js'
import { startTcpProxy } from '../helpers/tcp-proxy.js'
import { fixture, largePng, multipartBody } from '../helpers/multipart.js'
import { eventually, isMultipartUploadGone, listKeys, scanItems, storedState, trackMultipartUploads } from '../helpers/inspect.js'
import { ensureStorage } from '../../app/plugins/provision.js'

const MiB = 1024 * 1024
const [fauxqs, dynamodb] = await Promise.all([startFauxqsS3(), startDynamoDbLocal()])
t.teardown(() => Promise.all([fauxqs.stop(), dynamodb.stop()]))
const env = { S3_PART_SIZE: String(5 * MiB), MAX_UPLOAD_BYTES: String(11 * MiB) }

async function upload (app: FastifyInstance, content: Buffer, name = 'a.png') {
  const started = performance.now()
  const res = await app.inject({ method: 'POST', url: '/upload', ...await multipartBody([{ filename: name, content }]) })
  return { res, ms: performance.now() - started }
}

async function assertServing (t: Test, app: FastifyInstance): Promise<void> {
  t.equal((await app.inject('/health')).statusCode, 200, 'the server keeps serving')
}

t.test('S3 killed while a multipart upload is in flight, then started again on the same port', async t => {
  let s3 = await startFauxqsProcess()
  t.teardown(() => s3.kill())
  const target = { s3: s3.url, dynamodb: dynamodb.url }
  const { config, clients } = await buildTestApp(t, target, env)
  const appS3 = testClients(config).s3
  const tracker = trackMultipartUploads(appS3)
  let killed = false
  // The crash happens as the first part leaves: the multipart upload exists, no part has landed.
  appS3.middlewareStack.add((next, context) => async (args) => {
    if (context.commandName === 'UploadPartCommand' && !killed) {
      killed = true
      await s3.kill()
    }
    return next(args)
  }, { step: 'initialize', name: 'killS3MidUpload' })
  const { app } = await buildTestApp(t, target, { ...env, BUCKET_NAME: config.bucket, TABLE_NAME: config.table }, { s3: appS3 })

  const during = await upload(app, largePng(8 * MiB), 'big.png')
  t.ok(killed, 'S3 died mid-upload')
  t.equal(tracker.started.length, 1, 'a multipart upload had started')
  t.equal(during.res.statusCode, 503)
  t.match(during.res.json(), { code: 'STORAGE_UNAVAILABLE' })
  t.equal(during.res.headers['retry-after'], '5')
  t.ok(during.ms < 15_000, `answered in ${Math.round(during.ms)} ms`)

  const whileDown = await upload(app, fixture('image.png'))
  t.equal(whileDown.res.statusCode, 503, 'uploads while S3 is down: 503')
  await assertServing(t, app)
  // DynamoDB is up while S3 is down: read the table itself (a listing of S3 would fail here).
  t.same(await scanItems(clients.ddb, config.table), [], 'no item for either upload')

  s3 = await startFauxqsProcess(s3.port)
  // The restarted stand-in keeps nothing in memory; real S3 keeps its bucket through an outage.
  await ensureStorage(clients.s3, clients.ddb, config)
  const after = await upload(app, fixture('image.png'))
  t.equal(after.res.statusCode, 201, 'once S3 is back, uploads succeed')
  const state = await storedState(clients, config)
  t.same(state.keys, [after.res.json().key], 'only the new object')
  t.same(state.items.map(item => item['id']), [after.res.json().id], 'only the new item')
})

t.test('DynamoDB table deleted: 503 METADATA_UNAVAILABLE, the object is removed; uploads succeed once it is back', async t => {
  const target = { s3: fauxqs.url, dynamodb: dynamodb.url }
  const { config, clients } = await buildTestApp(t, target, env)
  const appS3 = testClients(config).s3
  const tracker = trackMultipartUploads(appS3)
  const { app } = await buildTestApp(t, target, { ...env, BUCKET_NAME: config.bucket, TABLE_NAME: config.table }, { s3: appS3 })
  await clients.ddb.send(new DeleteTableCommand({ TableName: config.table }))

  for (const content of [fixture('image.png'), largePng(6 * MiB)]) {
    const { res } = await upload(app, content)
    t.equal(res.statusCode, 503)
    t.match(res.json(), { code: 'METADATA_UNAVAILABLE', message: /nothing was stored/ })
    t.same(await listKeys(clients.s3, config.bucket), [], 'the object was deleted again')
  }
  t.equal(tracker.started.length, 1, 'the large file went up as a multipart upload')
  t.ok(await isMultipartUploadGone(clients.s3, config.bucket, tracker.started[0]!), 'and it is completed or aborted, not pending')
  await assertServing(t, app)

  await ensureStorage(clients.s3, clients.ddb, config)
  const { res } = await upload(app, fixture('image.png'))
  t.equal(res.statusCode, 201)
  const state = await storedState(clients, config)
  t.equal(state.keys.length, 1)
  t.equal(state.items.length, 1)
})

t.test('DynamoDB answering after AWS_REQUEST_TIMEOUT_MS: 503 in bounded time; writes it applied late are undone', async t => {
  const proxy = await startTcpProxy(Number(new URL(dynamodb.url).port))
  t.teardown(() => proxy.close())
  const target = { s3: fauxqs.url, dynamodb: proxy.url }
  const { app, config, clients } = await buildTestApp(t, target, { ...env, AWS_REQUEST_TIMEOUT_MS: '500' })

  proxy.setResponseDelay(1500)
  const { res, ms } = await upload(app, fixture('image.jpg'))
  t.equal(res.statusCode, 503)
  t.match(res.json(), { code: 'METADATA_UNAVAILABLE' })
  t.ok(ms < 15_000, `answered in ${Math.round(ms)} ms`)
  await assertServing(t, app)

  proxy.setResponseDelay(0)
  t.ok(await eventually(async () => {
    const state = await storedState(clients, config)
    return state.keys.length === 0 && state.items.length === 0
  }, 10_000), 'nothing left: the put DynamoDB applied after the timeout was deleted by the rollback')
  const after = await upload(app, fixture('image.jpg'))
  t.equal(after.res.statusCode, 201, 'uploads succeed once DynamoDB is fast again')
})
