// The image processor's Lambda entry point (bundled by infra/bundle.ts into
// dist/processor-<architecture>/index.mjs): S3 ObjectCreated events for originals/ arrive here. Config and
// clients are made once per container, at module load.
import { loadConfig } from './config.js'
import { createAwsClients } from './plugins/aws-clients.js'
import type { Outcome } from './processing/deps.js'
import { handleS3Event } from './processing/handle-event.js'
import { jsonLog } from './processing/json-log.js'
import type { S3Event } from './processing/s3-event.js'

const config = loadConfig(process.env)
const deps = { config, ...createAwsClients(config, { endpoints: config.endpoints }), log: jsonLog(config.logLevel) }

/** Throws when a record failed for a transient reason: Lambda retries the event, then its DLQ takes it. */
export async function handler (event: S3Event): Promise<{ outcomes: Outcome[] }> {
  return { outcomes: await handleS3Event(deps, event) }
}
