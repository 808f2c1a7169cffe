/**
 * Clients that vanish mid-request: 100 real sockets cut at seeded random byte offsets (headers,
 * part headers, file bytes, between files, inside a multipart S3 upload), some with a reset,
 * some with a half-close. Afterwards nothing is stored, every multipart upload is aborted, and
 * the server still serves. The seed is fixed (replay another with DISCONNECT_SEED=<seed>, or
 * DISCONNECT_SEED=random).
 */
import t from 'tap'
import type { AddressInfo } from 'node:net'
import { buildTestApp, testClients } from '../helpers/build-app.js'
import { startDynamoDbLocal, startFauxqsS3 } from '../helpers/stand-ins.js'
import { fixture, largePng, multipartBody } from '../helpers/multipart.js'
import { eventually, isMultipartUploadGone, storedState, trackMultipartUploads } from '../helpers/inspect.js'
import { rawConnection, requestHead } from '../helpers/raw-http.js'
import { testSeed } from '../helpers/seed.js'

const MiB = 1024 * 1024
const TRIALS = Number(process.env['DISCONNECT_TRIALS'] ?? 100)
const seed = testSeed('DISCONNECT_SEED', 20261208)
t.comment(`DISCONNECT_SEED=${seed} DISCONNECT_TRIALS=${TRIALS}`)

/** mulberry32: a small seeded PRNG, so a failing run can be replayed. */
function random (state: number): () => number {
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let x = Math.imul(state ^ (state >>> 15), 1 | state)
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x
    return ((x ^ (x >>> 14)) >>> 0) / 2 ** 32
  }
}

const [s3, dynamodb] = await Promise.all([startFauxqsS3(), startDynamoDbLocal()])
t.teardown(() => Promise.all([s3.stop(), dynamodb.stop()]))
const target = { s3: s3.url, dynamodb: dynamodb.url }
const env = { S3_PART_SIZE: String(5 * MiB), MAX_UPLOAD_BYTES: String(11 * MiB), RATE_LIMIT_MAX: '1000' }

const { config, clients } = await buildTestApp(t, target, env)
const appS3 = testClients(config).s3
const tracker = trackMultipartUploads(appS3)
const { app } = await buildTestApp(t, target, { ...env, BUCKET_NAME: config.bucket, TABLE_NAME: config.table }, { s3: appS3 })
await app.listen({ port: 0, host: '127.0.0.1' })
const { port } = app.server.address() as AddressInfo

const bodies = await Promise.all([
  multipartBody([{ filename: 'a.png', content: fixture('image.png') }]),
  multipartBody([{ filename: 'a.jpg', content: fixture('photo-rotated.jpg') }], { title: 'a field first' }),
  multipartBody(['image.gif', 'image.webp', 'image.avif'].map(name => ({ filename: name, content: fixture(name) }))),
  multipartBody([{ filename: 'big.png', content: largePng(7 * MiB) }])
])
const requests = bodies.map(body => Buffer.concat([
  Buffer.from(requestHead({ 'Content-Type': body.headers['content-type']!, 'Content-Length': body.payload.length })),
  body.payload
]))

t.test(`${TRIALS} uploads cut at random byte offsets leave nothing behind`, async t => {
  const next = random(seed)
  const cuts: string[] = []
  for (let trial = 0; trial < TRIALS; trial++) {
    // One in ten is the 7 MiB upload, cut past its first 5 MiB part half the time.
    const which = next() < 0.1 ? 3 : Math.floor(next() * 3)
    const bytes = requests[which]!
    const offset = which === 3 && next() < 0.5 ? Math.floor(5.5 * MiB + next() * (bytes.length - 5.5 * MiB)) : Math.floor(next() * bytes.length)
    const halfClose = next() < 0.3
    cuts.push(`${which}@${offset}${halfClose ? 'h' : 'r'}`)
    // Past the first 5 MiB part the server starts a multipart upload: such a trial waits for it
    // to start before cutting, so it really cuts one in flight (a reset discards bytes in flight).
    const cutsMultipart = which === 3 && offset > 5.5 * MiB
    const startedBefore = tracker.started.length
    const connection = rawConnection(port, 30_000)
    await connection.write(bytes.subarray(0, offset))
    if (cutsMultipart) {
      t.ok(await eventually(() => tracker.started.length > startedBefore, 10_000), `trial ${trial} (${cuts.at(-1)}): the multipart upload started before the cut`)
    }
    await new Promise(resolve => setTimeout(resolve, next() * 30))
    if (halfClose) connection.socket.end()
    else connection.socket.resetAndDestroy()
    const res = await connection.response
    // A cut client usually never sees an answer (reset, or Node drops a half-closed request);
    // when one arrives it must not be a 5xx.
    t.ok(res.status === undefined || res.status < 500, `trial ${trial} (${cuts.at(-1)}): no 5xx (${res.status ?? 'no answer'})`)
  }
  t.ok(tracker.started.length > 0, `some trials cut a multipart upload (${tracker.started.length})`)
  t.comment(`cuts (request@offset, h = half-close, r = reset): ${cuts.join(' ')}`)

  t.ok(await eventually(() => tracker.aborted.length === tracker.started.length, 20_000),
    `every multipart upload started (${tracker.started.length}) was aborted (${tracker.aborted.length})`)
  for (const upload of tracker.started) t.ok(await isMultipartUploadGone(clients.s3, config.bucket, upload), `S3 no longer knows ${upload.key}`)
  t.ok(await eventually(async () => {
    const state = await storedState(clients, config)
    return state.keys.length === 0 && state.items.length === 0
  }, 20_000), 'no object and no item')

  const health = await fetch(`http://127.0.0.1:${port}/health`)
  t.equal(health.status, 200, 'the server still serves')
  const form = new FormData()
  form.append('file', new Blob([new Uint8Array(fixture('image.png'))]), 'after.png')
  const after = await fetch(`http://127.0.0.1:${port}/upload`, { method: 'POST', body: form })
  t.equal(after.status, 201, 'and still stores uploads')
})
