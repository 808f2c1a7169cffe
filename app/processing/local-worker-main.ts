// Inside the processing worker thread: builds its own AWS clients from the config and target it
// was started with, handles one S3 event record per message with the Lambda handler, and posts
// back the outcomes (or the error) and every log line.
import { parentPort, threadId, workerData } from 'node:worker_threads'
import { createAwsClients } from '../plugins/aws-clients.js'
import type { ProcessorLog } from './deps.js'
import { handleS3Event } from './handle-event.js'
import type { ToWorker, WorkerData, FromWorker } from './local-worker-protocol.js'

const port = parentPort!
const { config, target } = workerData as WorkerData
const post = (message: FromWorker): void => { port.postMessage(message) }

/** Errors become plain objects: a custom error class (or an AggregateError's list) cannot cross the thread. */
const cloneable = (fields: object): Record<string, unknown> => Object.fromEntries(Object.entries(fields).map(([name, value]) =>
  [name, value instanceof Error ? { type: value.name, message: value.message, stack: value.stack } : value]))
const line = (level: keyof ProcessorLog) => (fields: object, message: string): void => { post({ log: level, fields: cloneable(fields), message }) }
const log: ProcessorLog = { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') }
const deps = { config, ...createAwsClients(config, target), log }

port.on('message', (message: ToWorker) => {
  handleS3Event(deps, { Records: [message.record] }).then(
    (outcomes) => { post({ id: message.id, outcomes }) },
    (err: unknown) => {
      const error = err instanceof Error ? err : new Error(String(err))
      post({ id: message.id, error: { name: error.name, message: error.message } })
    })
})
log.info({ threadId }, 'processing worker ready')
