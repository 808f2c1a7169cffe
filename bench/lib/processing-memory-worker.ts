// Child process of bench/processing-memory.ts: the processor as Lambda runs it
// (handleS3Event), pointed at the stand-ins. It processes a small warm-up original first, so
// sharp, libvips' threads and the SDK's clients are loaded, then the measured original, and
// answers with its resident set before and its high-water mark after.
import { readFileSync } from 'node:fs'
import { loadConfig } from '../../app/config.js'
import { handleS3Event } from '../../app/processing/handle-event.js'
import type { ProcessorLog } from '../../app/processing/deps.js'
import { encodeEventKey } from '../../app/processing/s3-event.js'
import { standInClients, REGION } from './stand-ins.js'

export interface WorkerRequest {
  endpoints: { s3: string, dynamodb: string }
  bucket: string
  table: string
  warmUpKey: string
  key: string
}

export interface WorkerAnswer {
  /** Resident set just before the measured original, and the process's high-water mark after it. */
  rssBeforeBytes: number
  hwmAfterBytes: number
  ms: number
}

/** From the kernel: VmRSS now and VmHWM, the most this process has ever had resident. */
function memory (): { rss: number, hwm: number } {
  const status = readFileSync('/proc/self/status', 'utf8')
  const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) * 1024
  return { rss: kib('VmRSS'), hwm: kib('VmHWM') }
}

const quiet = (): void => {}
const log: ProcessorLog = { debug: quiet, info: quiet, warn: quiet, error: (fields, message) => console.error(message, fields) }

/** The event S3 sends for a new original; the outcome must be `ready`. */
async function processKey (deps: Parameters<typeof handleS3Event>[0], key: string): Promise<void> {
  const [outcome] = await handleS3Event(deps, {
    Records: [{ eventName: 'ObjectCreated:Put', s3: { bucket: { name: deps.config.bucket }, object: { key: encodeEventKey(key) } } }]
  })
  if (outcome?.result !== 'ready') throw new Error(`${key} not processed: ${JSON.stringify(outcome)}`)
}

async function main (request: WorkerRequest): Promise<void> {
  const config = loadConfig({ APP_MODE: 'endpoints', AWS_REGION: REGION, BUCKET_NAME: request.bucket, TABLE_NAME: request.table })
  const deps = { config, ...standInClients(request.endpoints), log }
  await processKey(deps, request.warmUpKey)
  const before = memory()
  const started = performance.now()
  await processKey(deps, request.key)
  const ms = performance.now() - started
  const answer: WorkerAnswer = { rssBeforeBytes: before.rss, hwmAfterBytes: memory().hwm, ms }
  process.send!(answer, () => process.exit(0))
}

process.once('message', (request: WorkerRequest) => {
  main(request).catch((err: unknown) => {
    console.error(err)
    process.exit(1)
  })
})
