import { admitDirectUpload } from './admit-direct-upload.js'
import type { Outcome, ProcessorDeps } from './deps.js'
import { processOriginal } from './process-original.js'
import { imageObjectOf, type S3Event } from './s3-event.js'

/**
 * Every record of one S3 event, one after the other. A record that fails for a transient reason
 * does not stop the others; the handler then throws, so Lambda delivers the event again (and
 * the records already done are skipped as already processed).
 */
export async function handleS3Event (deps: ProcessorDeps, event: S3Event): Promise<Outcome[]> {
  const outcomes: Outcome[] = []
  const failures: unknown[] = []
  for (const record of event.Records ?? []) {
    const ref = imageObjectOf(record, deps.config.bucket)
    if ('ignored' in ref) {
      deps.log.debug({ event: record.eventName, key: record.s3?.object?.key, reason: ref.ignored }, 'event ignored')
      outcomes.push({ key: String(record.s3?.object?.key), result: 'ignored', detail: ref.ignored })
      continue
    }
    const started = performance.now()
    try {
      const outcome = ref.stage === 'incoming' ? await admitDirectUpload(deps, ref) : await processOriginal(deps, ref)
      const fields = { imageId: ref.id, result: outcome.result, detail: outcome.detail, ms: Math.round(performance.now() - started) }
      if (outcome.result === 'failed' || outcome.result === 'refused') deps.log.warn(fields, 'image not processed')
      else deps.log.info(fields, 'image processed')
      outcomes.push(outcome)
    } catch (err) {
      deps.log.error({ err, imageId: ref.id, key: ref.key }, 'processing failed; the event should be retried')
      failures.push(err)
    }
  }
  if (failures.length > 0) {
    throw new AggregateError(failures, `${failures.length} of ${event.Records.length} records could not be processed`)
  }
  return outcomes
}
