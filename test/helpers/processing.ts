/**
 * The image processor fed by the embedded s3rver's events, as `node app` runs it, for one
 * test's bucket and table; a test awaits the outcome of processing a given image.
 */
import type { EventEmitter } from 'node:events'
import type { Test } from 'tap'
import type { Config } from '../../app/config.js'
import type { AwsClients } from '../../app/plugins/aws-clients.js'
import type { Outcome, ProcessorLog } from '../../app/processing/deps.js'
import { processLocalEvents } from '../../app/processing/local-events.js'
import type { S3Event } from '../../app/processing/s3-event.js'

export type Result = Outcome | { key: string, result: 'error', error: unknown }

export interface LogLine { level: string, fields: Record<string, unknown>, message: string }

export interface Processing {
  /** The next outcome for this image not taken yet by an earlier call. */
  outcomeOf: (id: string, timeoutMs?: number) => Promise<Result>
  /** Every S3 event s3rver emitted for the key, in order (to replay one). */
  eventsFor: (key: string) => S3Event[]
  logs: LogLine[]
  idle: () => Promise<void>
}

export function attachProcessor (t: Test, s3rver: EventEmitter, target: { config: Config, clients: AwsClients }, configOverrides: Partial<Config> = {}): Processing {
  const results = new Map<string, Result[]>()
  const waiters = new Map<string, Array<(result: Result) => void>>()
  const events: S3Event[] = []
  const logs: LogLine[] = []
  const log = (level: string) => (fields: object, message: string) => { logs.push({ level, fields: fields as Record<string, unknown>, message }) }
  const processorLog: ProcessorLog = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') }

  const recordEvent = (event: S3Event): void => { events.push(structuredClone(event)) }
  s3rver.on('event', recordEvent)
  const processing = processLocalEvents(s3rver, { config: { ...target.config, ...configOverrides }, ...target.clients, log: processorLog }, {
    onOutcome: (result) => {
      // Not about an image of this bucket (processed/ keys, other buckets, deletions): see logs.
      if (result.result === 'ignored') return
      const id = result.key.replace(/^(originals|incoming)\//, '')
      const waiting = waiters.get(id)?.shift()
      if (waiting) waiting(result)
      else results.set(id, [...results.get(id) ?? [], result])
    }
  })
  t.teardown(async () => {
    s3rver.off('event', recordEvent)
    await processing.stop()
  })

  return {
    outcomeOf: (id, timeoutMs = 20_000) => {
      const ready = results.get(id)?.shift()
      if (ready) return Promise.resolve(ready)
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no processing outcome for ${id} within ${timeoutMs} ms`)), timeoutMs)
        waiters.set(id, [...waiters.get(id) ?? [], (result) => { clearTimeout(timer); resolve(result) }])
      })
    },
    eventsFor: (key) => events.filter(event => event.Records.some(record => record.s3.object.key === key)),
    logs,
    idle: processing.idle
  }
}
