// `node app`'s processor runs each S3 event record in a worker thread behind a bounded queue:
// the outcomes come back as they did in-process, while this thread's event loop keeps turning
// during a costly decode (heic-decode's WASM runs synchronously: in this thread it stalls the loop).
import { EventEmitter } from 'node:events'
import t, { type Test } from 'tap'
import { buildTestApp, testClients } from '../helpers/build-app.js'
import { startEmbeddedStack, CREDENTIALS } from '../helpers/stand-ins.js'
import { multipartBody } from '../helpers/multipart.js'
import { heicGrid44mp, rle8BmpBomb } from '../helpers/hostile-images.js'
import { processLocalEvents, queueLocalEvents, type LocalProcessing, type LocalResult } from '../../app/processing/local-events.js'
import { processLocalEventsInWorker } from '../../app/processing/local-worker.js'
import type { S3Event } from '../../app/processing/s3-event.js'
import { s3EventRecord } from '../helpers/s3-events.js'
import { PutObjectCommand } from '@aws-sdk/client-s3'
import { PutCommand } from '@aws-sdk/lib-dynamodb'
import { newImageId, originalKey } from '../../app/lib/keys.js'
import { IMAGE_KIND } from '../../app/lib/table.js'

const stack = await startEmbeddedStack()
t.teardown(() => stack.close())
const silent = { debug () {}, info () {}, warn () {}, error () {} }
/** 44 MP from 25 KB, within every limit: seconds of synchronous WASM decoding here. */
const costlyHeic = heicGrid44mp()

type Start = (results: LocalResult[], config: Awaited<ReturnType<typeof buildTestApp>>['config']) => LocalProcessing

async function uploadAndWatch (t: Test, bytes: Buffer, start: Start): Promise<{ results: LocalResult[], longestStallMs: number }> {
  const { app, config } = await buildTestApp(t, stack.endpoints)
  const results: LocalResult[] = []
  const processing = start(results, config)
  t.teardown(() => processing.stop())
  const { payload, headers } = await multipartBody([{ filename: 'image.heic', content: bytes }])
  const res = await app.inject({ method: 'POST', url: '/upload', payload, headers: { ...headers, accept: 'application/json' } })
  t.equal(res.statusCode, 201, res.body)
  const id = res.json<{ id: string }>().id

  let last = performance.now()
  let longestStallMs = 0
  const ticker = setInterval(() => {
    const now = performance.now()
    longestStallMs = Math.max(longestStallMs, now - last)
    last = now
  }, 5)
  const deadline = Date.now() + 60_000
  while (!results.some(result => result.key === `originals/${id}`) && Date.now() < deadline) {
    await new Promise(resolve => setTimeout(resolve, 20))
  }
  clearInterval(ticker)
  await processing.idle()
  return { results: results.filter(result => result.key === `originals/${id}`), longestStallMs }
}

const inWorker: Start = (results, config) => processLocalEventsInWorker(stack.s3rver, {
  config, target: { endpoints: config.endpoints, credentials: CREDENTIALS }, log: silent
}, { onOutcome: result => results.push(result) })

t.test('a costly HEIC is processed in the worker: ready, and this thread never stalls', async t => {
  const { results, longestStallMs } = await uploadAndWatch(t, costlyHeic, inWorker)
  t.match(results, [{ result: 'ready' }], 'one outcome, ready')
  t.ok(longestStallMs < 250, `the event loop's longest stall was ${Math.round(longestStallMs)} ms (under 250)`)
})

t.test('control: the same HEIC processed in this thread stalls its event loop', async t => {
  const { results, longestStallMs } = await uploadAndWatch(t, costlyHeic, (results, config) =>
    processLocalEvents(stack.s3rver, { config, ...testClients(config), log: silent }, { onOutcome: result => results.push(result) }))
  t.match(results, [{ result: 'ready' }])
  t.ok(longestStallMs >= 250, `in-process, the longest stall was ${Math.round(longestStallMs)} ms`)
})

t.test('an original over its decoder budget fails in the worker with the reason', async t => {
  // POST /upload refuses it (DECODE_TOO_COSTLY): stored the way an object older than the rule is.
  const { config, clients } = await buildTestApp(t, stack.endpoints)
  const results: LocalResult[] = []
  const processing = inWorker(results, config)
  t.teardown(() => processing.stop())
  const id = newImageId()
  const bomb = rle8BmpBomb(2000, 2000)
  await clients.ddb.send(new PutCommand({
    TableName: config.table,
    Item: { id, key: originalKey(id), bucket: config.bucket, filename: 'bomb.bmp', contentType: 'image/bmp', size: bomb.length, width: 2000, height: 2000, uploadedAt: new Date().toISOString(), status: 'processing', kind: IMAGE_KIND }
  }))
  await clients.s3.send(new PutObjectCommand({ Bucket: config.bucket, Key: originalKey(id), Body: bomb, ContentType: 'image/bmp' }))
  const deadline = Date.now() + 60_000
  while (results.length === 0 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 20))
  t.match(results, [{ key: originalKey(id), result: 'failed', detail: /too costly to decode: .*run-length encoded BMP/ }])
})

t.test('the queue is bounded: a record over the bound is reported and dropped', async t => {
  const source = new EventEmitter()
  const results: LocalResult[] = []
  const handled: string[] = []
  let release = (): void => {}
  const queue = queueLocalEvents(source, async (record) => {
    handled.push(record.s3.object.key)
    await new Promise<void>(resolve => { release = resolve })
    return [{ key: record.s3.object.key, result: 'skipped' }]
  }, { concurrency: 1, maxQueued: 2, onOutcome: result => results.push(result) })
  const event = (key: string): S3Event => ({ Records: [s3EventRecord({ bucket: 'b', key })] })
  for (const key of ['originals/1', 'originals/2', 'originals/3', 'originals/4']) source.emit('event', event(key))
  t.match(results, [{ key: 'originals/4', result: 'error', error: { message: /queue is full \(2 records waiting\)/ } }], 'one in hand, two waiting, the fourth dropped')
  for (let i = 0; i < 3; i++) {
    release()
    await new Promise(resolve => setTimeout(resolve, 10))
  }
  await queue.stop()
  t.same(handled, ['originals/1', 'originals/2', 'originals/3'])
  t.equal(results.length, 4)
})
