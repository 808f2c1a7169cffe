import type { EventEmitter } from 'node:events'
import type { Outcome, ProcessorDeps } from './deps.js'
import { handleS3Event } from './handle-event.js'
import { encodeEventKey, type S3Event, type S3EventRecord } from './s3-event.js'

export interface LocalProcessing {
  /** Resolves when every event received so far has been handled. */
  idle: () => Promise<void>
  /** Stops listening, then waits for the work in hand. */
  stop: () => Promise<void>
}

export interface LocalProcessingOptions {
  /** Records handled at once; each holds one image's pixels in memory. */
  concurrency?: number
  /** Sees every record's outcome, or its error (tests wait on these). */
  onOutcome?: (outcome: Outcome | { key: string, result: 'error', error: unknown }) => void
}

/**
 * Feeds the embedded s3rver's event notifications to the same handler Lambda runs, in this
 * process, so `node app` processes images like the deployed system. Errors are logged, never
 * thrown: the server keeps running. There is no retry here (Lambda's retries and DLQ are AWS's).
 */
export function processLocalEvents (source: EventEmitter, deps: ProcessorDeps, options: LocalProcessingOptions = {}): LocalProcessing {
  const concurrency = options.concurrency ?? 2
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
      const outcomes = await handleS3Event(deps, { Records: [record] })
      for (const outcome of outcomes) options.onOutcome?.(outcome)
    } catch (err) {
      // handleS3Event has logged it.
      options.onOutcome?.({ key: record.s3.object.key, result: 'error', error: err })
    }
  }
  const onEvent = (event: S3Event): void => {
    for (const record of event.Records ?? []) queue.push(asS3Sends(record))
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
