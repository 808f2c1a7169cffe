import type { Config } from '../config.js'
import type { ClientTarget } from '../plugins/aws-clients.js'
import type { Outcome, ProcessorLog } from './deps.js'
import type { S3EventRecord } from './s3-event.js'

/** What the processing worker is started with: it builds its own clients from these. */
export interface WorkerData {
  config: Config
  target: ClientTarget
}

export interface ToWorker { id: number, record: S3EventRecord }

export type FromWorker =
  | { id: number, outcomes: Outcome[] }
  | { id: number, error: { name: string, message: string } }
  | { log: keyof ProcessorLog, fields: Record<string, unknown>, message: string }
