import type { S3Client } from '@aws-sdk/client-s3'
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import type { Config } from '../config.js'

/** What the processor logs through: pino (app.log) locally, JSON lines in Lambda. */
export interface ProcessorLog {
  debug: (fields: object, message: string) => void
  info: (fields: object, message: string) => void
  warn: (fields: object, message: string) => void
  error: (fields: object, message: string) => void
}

export interface ProcessorDeps {
  config: Config
  s3: S3Client
  ddb: DynamoDBDocumentClient
  log: ProcessorLog
}

/**
 * ready/failed: the item moved there now. admitted: a direct upload passed the checks and was
 * moved to originals/ (whose own event makes the variants). refused: a direct upload that is
 * not an acceptable image (object deleted, item rejected). skipped: nothing to do (already
 * processed, deleted, rolled back, another delivery won, a stray upload removed). ignored: not
 * an original or a direct upload of this bucket.
 */
export interface Outcome {
  id?: string
  key: string
  result: 'ready' | 'failed' | 'admitted' | 'refused' | 'skipped' | 'ignored'
  detail?: string
}
