// Child process: the ceiling. Talks to the stand-ins directly with the SDK, configured as the
// app configures it, doing what the app does minus HTTP and multipart: a lib-storage Upload
// of the same bytes, or PutObject + PutItem of the same small file. Driven over IPC.
import { randomUUID } from 'node:crypto'
import { Readable } from 'node:stream'
import { PutObjectCommand } from '@aws-sdk/client-s3'
import { PutCommand } from '@aws-sdk/lib-dynamodb'
import { Upload } from '@aws-sdk/lib-storage'
import { ensureStorage } from '../../app/plugins/provision.js'
import { syntheticImage } from './synthetic-image.js'
import { standInClients } from './stand-ins.js'
import type { DirectReply, DirectRequest } from './direct.js'

const DIRECT_BUCKET = process.env['BENCH_BUCKET'] ?? 'bench-direct'
const DIRECT_TABLE = process.env['BENCH_TABLE'] ?? 'BenchDirect'

const { s3, ddb } = standInClients(JSON.parse(process.env['BENCH_ENDPOINTS'] ?? '{}'))
await ensureStorage(s3, ddb, { bucket: DIRECT_BUCKET, table: DIRECT_TABLE })

async function streamUpload (size: number, partSize: number, queueSize: number): Promise<DirectReply> {
  const key = `originals/${randomUUID()}`
  const started = performance.now()
  await new Upload({
    client: s3,
    params: { Bucket: DIRECT_BUCKET, Key: key, Body: Readable.from(syntheticImage(size), { objectMode: false }), ContentType: 'image/png' },
    partSize,
    queueSize,
    leavePartsOnError: false
  }).done()
  return { type: 'stream', ms: performance.now() - started, keys: [key] }
}

async function smallUploads (bytes: Buffer, count: number, concurrency: number): Promise<DirectReply> {
  const latencies: number[] = []
  const keys: string[] = []
  let next = 0
  async function lane (): Promise<void> {
    while (next < count) {
      next++
      const id = randomUUID()
      const key = `originals/${id}`
      const started = performance.now()
      await s3.send(new PutObjectCommand({ Bucket: DIRECT_BUCKET, Key: key, Body: bytes, ContentType: 'image/jpeg' }))
      await ddb.send(new PutCommand({
        TableName: DIRECT_TABLE,
        Item: { id, key, bucket: DIRECT_BUCKET, kind: 'image', contentType: 'image/jpeg', size: bytes.length, uploadedAt: new Date().toISOString() },
        ConditionExpression: 'attribute_not_exists(id)'
      }))
      latencies.push(performance.now() - started)
      keys.push(key)
    }
  }
  const started = performance.now()
  await Promise.all(Array.from({ length: concurrency }, lane))
  return { type: 'small', ms: performance.now() - started, keys, latencies }
}

process.on('message', (message: DirectRequest) => {
  const work = message.type === 'stream'
    ? streamUpload(message.size, message.partSize, message.queueSize)
    : smallUploads(message.bytes, message.count, message.concurrency)
  work.then(reply => process.send!(reply), (err: unknown) => process.send!({ type: 'error', message: String((err as Error).stack ?? err) }))
})
process.send!({ type: 'ready' })
