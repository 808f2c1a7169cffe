// Row 7: how far the processor's peak RSS grows while it makes the variants of one large
// original (25 and 50 MiB, JPEG and PNG), each in a fresh process, fetched from the stand-ins
// as in Lambda. Run alone: npx tsx bench/processing-memory.ts [--quick]
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { newImageId, originalKey } from '../app/lib/keys.js'
import { IMAGE_KIND } from '../app/lib/table.js'
import { readImageItem } from '../app/services/image-items.js'
import { ensureStorage } from '../app/plugins/provision.js'
import { expect } from './lib/checks.js'
import { forkTs, stopChild, TMP } from './lib/processes.js'
import type { WorkerAnswer, WorkerRequest } from './lib/processing-memory-worker.js'
import { parseArgs, printResult, type BenchResult, type Row, type RunOptions } from './lib/results.js'
import { startStandIns, standInClients } from './lib/stand-ins.js'
import { median, MiB } from './lib/stats.js'
import { jpeg, photoOfSize } from './lib/test-images.js'

const BUCKET = 'bench-processing'
const TABLE = 'BenchProcessing'
const CASES = [['jpeg', 25], ['jpeg', 50], ['png', 25], ['png', 50]] as const
/** What the processor may hold beyond the file and its decoded pixels: code, libvips, buffers. */
const SLACK = 64 * MiB

interface Original { id: string, key: string, bytes: number, width: number, height: number, sha256: string }

/** An original as an admitted direct upload leaves it: in originals/, its item `processing`, no sha256 yet. */
async function storeOriginal (s3: S3Client, ddb: DynamoDBDocumentClient, data: Buffer, contentType: string, size: { width: number, height: number }): Promise<Original> {
  const id = newImageId()
  const key = originalKey(id)
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: data, ContentType: contentType }))
  await ddb.send(new PutCommand({
    TableName: TABLE,
    Item: { id, key, bucket: BUCKET, filename: `bench.${contentType.slice(6)}`, contentType, size: data.length, ...size, uploadedAt: new Date().toISOString(), status: 'processing', kind: IMAGE_KIND }
  }))
  return { id, key, bytes: data.length, ...size, sha256: createHash('sha256').update(data).digest('hex') }
}

/** One fresh processor process: warm-up original, then the measured one. */
async function measure (endpoints: WorkerRequest['endpoints'], warmUp: Original, original: Original): Promise<WorkerAnswer> {
  const child = forkTs(join(import.meta.dirname, 'lib', 'processing-memory-worker.ts'), { logFile: join(TMP, 'processing-memory.log') })
  try {
    const answer = new Promise<WorkerAnswer>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the processor took over 5 minutes')), 300_000)
      child.once('message', message => { clearTimeout(timer); resolve(message as WorkerAnswer) })
      child.once('exit', code => { clearTimeout(timer); reject(new Error(`the processor exited with ${code} (see bench/.tmp/processing-memory.log)`)) })
    })
    const request: WorkerRequest = { endpoints, bucket: BUCKET, table: TABLE, warmUpKey: warmUp.key, key: original.key }
    child.send(request)
    return await answer
  } finally {
    await stopChild(child)
  }
}

/** A broken run reports no number: the item is ready, with the right sha256, size and variants. */
async function checkProcessed (ddb: DynamoDBDocumentClient, original: Original): Promise<void> {
  const item = await readImageItem(ddb, TABLE, original.id)
  expect(item?.status === 'ready', `${original.key} is ${item?.status}`)
  expect(item.sha256 === original.sha256, `${original.key}: sha256 recorded ${item.sha256}`)
  expect(item.width === original.width && item.height === original.height, `${original.key}: size ${item.width}x${item.height}`)
  const longest = (variant?: { width: number, height: number }): number => Math.max(variant?.width ?? 0, variant?.height ?? 0)
  expect(longest(item.variants?.thumb) === 256 && longest(item.variants?.display) === 1280, `${original.key}: variants ${JSON.stringify(item.variants)}`)
}

/** Puts the item back to `processing` so the next fresh process has work to do. */
async function reopen (ddb: DynamoDBDocumentClient, original: Original): Promise<void> {
  await ddb.send(new UpdateCommand({
    TableName: TABLE,
    Key: { id: original.id },
    UpdateExpression: 'SET #status = :processing REMOVE sha256, variants',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':processing': 'processing' }
  }))
}

export async function run (options: RunOptions): Promise<BenchResult> {
  const runs = options.quick ? 1 : 3
  const standIns = await startStandIns()
  const { s3, ddb } = standInClients(standIns.endpoints)
  try {
    await ensureStorage(s3, ddb, { bucket: BUCKET, table: TABLE })
    const warmUp = await storeOriginal(s3, ddb, await jpeg(1600, 1200), 'image/jpeg', { width: 1600, height: 1200 })
    const rows: Row[] = []
    for (const [format, mib] of CASES) {
      const { data, width, height } = await photoOfSize(format, mib * MiB)
      const original = await storeOriginal(s3, ddb, data, `image/${format}`, { width, height })
      const growth: number[] = []
      const ms: number[] = []
      for (let round = 0; round < runs; round++) {
        await reopen(ddb, warmUp)
        if (round > 0) await reopen(ddb, original)
        const answer = await measure(standIns.endpoints, warmUp, original)
        await checkProcessed(ddb, original)
        growth.push(answer.hwmAfterBytes - answer.rssBeforeBytes)
        ms.push(answer.ms)
      }
      const pixels = width * height * 3
      const budget = original.bytes + pixels + SLACK
      const ours = median(growth)
      rows.push({
        benchmark: 'Processing peak RSS',
        case: `${(original.bytes / MiB).toFixed(1)} MiB ${format.toUpperCase()}, ${width}x${height} (fresh process, median of ${runs})`,
        unit: 'MiB growth ↓',
        ours: ours / MiB,
        reference: { name: 'file + decoded pixels + 64 MiB', value: budget / MiB, ratio: ours / budget },
        goal: 'growth ≤ file + width×height×3 + 64 MiB',
        met: ours <= budget,
        note: `processing ${(median(ms) / 1000).toFixed(1)} s on a busy machine; runs ${growth.map(bytes => (bytes / MiB).toFixed(0)).join(', ')} MiB`
      })
    }
    return { rows, notes: [] }
  } finally {
    s3.destroy()
    ddb.destroy()
    await standIns.stop()
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  printResult(await run(parseArgs()))
}
