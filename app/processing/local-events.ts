import type { EventEmitter } from 'node:events'
import type { Outcome, ProcessorDeps, ProcessorLog } from './deps.js'
import { handleS3Event } from './handle-event.js'
import { encodeEventKey, type S3Event, type S3EventRecord } from './s3-event.js'

export interface LocalProcessing {
  /** Resolves when every event received so far has been handled. */
  idle: () => Promise<void>
  /** Stops listening, then waits for the work in hand. */
  stop: () => Promise<void>
}

export type LocalResult = Outcome | { key: string, result: 'error', error: unknown }

export interface LocalProcessingOptions {
  /** Records handled at once; each holds one image's pixels in memory. */
  concurrency?: number
  /**
   * Records waiting beyond those in hand. s3rver has no retry, so a record over the bound is
   * reported as an error and dropped (its item stays `processing`); the bound keeps a burst of
   * uploads from queueing without limit behind a slow image.
   */
  maxQueued?: number
  /** Sees every record's outcome, or its error (tests wait on these). */
  onOutcome?: (outcome: LocalResult) => void
  /** Where a dropped record is logged. */
  log?: ProcessorLog
}

export const DEFAULT_MAX_QUEUED = 1000

/** Handles one record somewhere (in this thread, or in a worker): its outcomes, or throws. */
export type RecordHandler = (record: S3EventRecord) => Promise<Outcome[]>

/**
 * Feeds the embedded s3rver's event notifications to the same handler Lambda runs, in this
 * thread, so tests drive the processor like the deployed system. `node app` runs the handler in
 * a worker thread instead (local-worker.ts). Errors are reported, never thrown. There is no
 * retry here (Lambda's retries and DLQ are AWS's).
 */
export function processLocalEvents (source: EventEmitter, deps: ProcessorDeps, options: LocalProcessingOptions = {}): LocalProcessing {
  return queueLocalEvents(source, (record) => handleS3Event(deps, { Records: [record] }), { log: deps.log, ...options })
}

/** The bounded queue between s3rver's events and a record handler, `concurrency` at a time. */
export function queueLocalEvents (source: EventEmitter, handle: RecordHandler, options: LocalProcessingOptions = {}): LocalProcessing {
  const concurrency = options.concurrency ?? 2
  const maxQueued = options.maxQueued ?? DEFAULT_MAX_QUEUED
  const queue: S3EventRecord[] = []
  let running = 0
  let waiters: Array<() => void> = []

  const settleIfIdle = (): void => {
    if (running > 0 || queue.length > 0) return
    const done = waiters
    waiters = []
    for (const resolve of done) resolve()
  }
  const pump = (): void => {
    while (running < concurrency && queue.length > 0) {
      const record = queue.shift()!
      running += 1
      handleOne(record).finally(() => {
        running -= 1
        pump()
        settleIfIdle()
      })
    }
  }
  const handleOne = async (record: S3EventRecord): Promise<void> => {
    try {
      const outcomes = await handle(record)
      for (const outcome of outcomes) options.onOutcome?.(outcome)
    } catch (err) {
      // handleS3Event has logged it.
      options.onOutcome?.({ key: record.s3.object.key, result: 'error', error: err })
    }
  }
  const onEvent = (event: S3Event): void => {
    for (const record of event.Records ?? []) {
      if (queue.length >= maxQueued) {
        const error = new Error(`the processing queue is full (${maxQueued} records waiting): ${record.s3.object.key} is not processed`)
        options.log?.error({ key: record.s3.object.key, maxQueued }, error.message)
        options.onOutcome?.({ key: encodeEventKey(record.s3.object.key), result: 'error', error })
        continue
      }
      queue.push(asS3Sends(record))
    }
    pump()
  }

  source.on('event', onEvent)
  const idle = (): Promise<void> => new Promise(resolve => {
    waiters.push(resolve)
    settleIfIdle()
  })
  return {
    idle,
    async stop () {
      source.off('event', onEvent)
      await idle()
    }
  }
}

/**
 * s3rver puts the key in its events decoded; S3 sends it URL-encoded. Re-encode it, so the
 * handler sees what it sees in Lambda (s3rver's other differences: event version 2.0, and
 * ObjectCreated:Post for a completed multipart upload, do not matter to the handler).
 */
function asS3Sends (record: S3EventRecord): S3EventRecord {
  return { ...record, s3: { ...record.s3, object: { ...record.s3.object, key: encodeEventKey(record.s3.object.key) } } }
}
