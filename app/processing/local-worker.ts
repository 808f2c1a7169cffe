import type { EventEmitter } from 'node:events'
import { Worker } from 'node:worker_threads'
import type { Outcome, ProcessorLog } from './deps.js'
import { queueLocalEvents, type LocalProcessing, type LocalProcessingOptions } from './local-events.js'
import type { FromWorker, ToWorker, WorkerData } from './local-worker-protocol.js'
import type { S3EventRecord } from './s3-event.js'

const ENTRY = new URL('./local-worker-entry.js', import.meta.url)

interface Pending { resolve: (outcomes: Outcome[]) => void, reject: (err: Error) => void }

/**
 * `node app`'s processor: s3rver's events go through the same bounded queue as
 * processLocalEvents, but each record is handled in a worker thread, so decoding an image
 * (the BMP decoder and heic-decode's WASM run synchronously on their calling thread)
 * never holds up the server's event loop. One worker serves every record (`concurrency` at a
 * time), started at once; if it dies (out of memory in a decoder), the records in hand fail and
 * the next record starts a new one.
 */
export function processLocalEventsInWorker (
  source: EventEmitter,
  start: WorkerData & { log: ProcessorLog },
  options: LocalProcessingOptions = {}
): LocalProcessing {
  const { log, ...data } = start
  let worker: Worker | undefined
  let nextId = 0
  const pending = new Map<number, Pending>()

  const failAll = (err: Error): void => {
    for (const { reject } of pending.values()) reject(err)
    pending.clear()
  }
  const spawn = (): Worker => {
    const started = new Worker(ENTRY, { workerData: data satisfies WorkerData })
    started.on('message', (message: FromWorker) => {
      if ('log' in message) return log[message.log](message.fields, message.message)
      const waiting = pending.get(message.id)
      pending.delete(message.id)
      if ('outcomes' in message) waiting?.resolve(message.outcomes)
      else waiting?.reject(Object.assign(new Error(message.error.message), { name: message.error.name }))
    })
    started.on('error', (err) => {
      log.error({ err }, 'the processing worker failed')
      failAll(err)
    })
    started.on('exit', (code) => {
      if (worker === started) worker = undefined
      failAll(new Error(`the processing worker exited (code ${code})`))
    })
    // The server's shutdown decides when the process ends, not this worker.
    started.unref()
    return started
  }
  const handle = (record: S3EventRecord): Promise<Outcome[]> => new Promise((resolve, reject) => {
    worker ??= spawn()
    const id = nextId++
    pending.set(id, { resolve, reject })
    worker.postMessage({ id, record } satisfies ToWorker)
  })

  // Started now, not on the first record: loading the processor's modules (sharp, tsx compiling
  // the sources) is done before the server takes requests.
  worker = spawn()
  const queue = queueLocalEvents(source, handle, { log, ...options })
  return {
    idle: queue.idle,
    async stop () {
      await queue.stop()
      const stopping = worker
      worker = undefined
      await stopping?.terminate()
    }
  }
}
