/** Sends one corpus file through the listening app, as a client would, and gathers what became of it. */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Config } from '../../app/config.js'
import type { AwsClients } from '../../app/plugins/aws-clients.js'
import { readObject } from '../helpers/inspect.js'
import type { Processing } from '../helpers/processing.js'

export const CORPUS = join(import.meta.dirname, '..', 'fixtures', 'corpus')

export interface CorpusEntry {
  file: string
  /** Upright size: what the image looks like once any orientation is applied. */
  width: number
  height: number
  /** What sits in the upright image's top-left corner: red, dark (grey images) or nothing checkable. */
  marker: 'red' | 'dark' | 'none'
  what: string
}

export const corpusManifest = (): CorpusEntry[] => JSON.parse(readFileSync(join(CORPUS, 'manifest.json'), 'utf8')) as CorpusEntry[]

export type Fate =
  | { kind: 'refused', status: number, body: { code?: string, message?: string } }
  | { kind: 'server-error', status: number, body: string }
  | { kind: 'stuck', id: string, detail: string }
  | { kind: 'failed', id: string, reason: unknown }
  | { kind: 'ready', id: string, record: ImageRecord, display: Buffer, thumb: Buffer }

interface ImageRecord {
  status: string
  width: number
  height: number
  failureReason?: string
  variants?: Record<'thumb' | 'display', { key: string, width: number, height: number }>
}

export interface Target { base: string, config: Config, clients: AwsClients, processing: Processing }

/** Bounds the wait for processing to end; a file still `processing` after it is stuck. */
const PROCESSING_TIMEOUT_MS = 30_000

export async function sendThrough (target: Target, entry: CorpusEntry): Promise<Fate> {
  const form = new FormData()
  form.append('file', new Blob([readFileSync(join(CORPUS, entry.file))]), entry.file)
  // Node's fetch keeps its connections alive between requests.
  const res = await fetch(`${target.base}/upload`, { method: 'POST', body: form, headers: { accept: 'application/json' } })
  const text = await res.text()
  if (res.status >= 500) return { kind: 'server-error', status: res.status, body: text }
  if (res.status !== 201) return { kind: 'refused', status: res.status, body: jsonOr(text) }
  const { id } = JSON.parse(text) as { id: string } // one file: the image itself, not a list

  const outcome = await target.processing.outcomeOf(id, PROCESSING_TIMEOUT_MS).catch((err: Error) => ({ result: 'timeout', detail: err.message }))
  const got = await fetch(`${target.base}/images/${id}`)
  if (got.status >= 500) return { kind: 'server-error', status: got.status, body: await got.text() }
  const record = await got.json() as ImageRecord
  if (record.status === 'failed') return { kind: 'failed', id, reason: record.failureReason }
  if (record.status !== 'ready' || !record.variants) return { kind: 'stuck', id, detail: `status ${record.status} after outcome ${JSON.stringify(outcome)}` }
  const variant = async (name: 'display' | 'thumb'): Promise<Buffer> => (await readObject(target.clients.s3, target.config.bucket, record.variants![name].key)).bytes
  return { kind: 'ready', id, record, display: await variant('display'), thumb: await variant('thumb') }
}

/** A refusal's JSON body; a body that is not JSON is kept as its message, for the test to refuse. */
const jsonOr = (text: string): { code?: string, message?: string } => {
  try {
    return JSON.parse(text) as { code?: string, message?: string }
  } catch {
    return { message: text }
  }
}

/** Runs `work` over `items`, at most `limit` at a time, keeping the order of results. */
export async function inPool<T, R> (items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++
      results[i] = await work(items[i]!)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}
