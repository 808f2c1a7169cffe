// The scheduled reconcile_images function (bundled by infra/bundle.ts into
// dist/reconcile/index.mjs). Config and clients are made once per container, at module load.
import { loadConfig } from './config.js'
import { createAwsClients } from './plugins/aws-clients.js'
import { reconcile, type ReconcileReport } from './reconcile/reconcile.js'
import { jsonLog } from './processing/json-log.js'
import { summarize } from './reconcile/summary.js'

const config = loadConfig(process.env)
const clients = createAwsClients(config, { endpoints: config.endpoints })
const log = jsonLog(config.logLevel)

/**
 * EventBridge's scheduled event removes orphans; invoke it by hand with {"dryRun": true} to only
 * report them. Throws when something could not be checked or removed, so the function's error
 * alarm fires (the next run retries: every step is idempotent).
 */
export async function handler (event?: unknown): Promise<ReconcileReport> {
  const report = await reconcile(clients, {
    bucket: config.bucket,
    table: config.table,
    graceMs: config.reconcileGraceMs,
    dryRun: (event as { dryRun?: unknown } | null | undefined)?.dryRun === true
  })
  if (report.failures.length > 0) {
    log.error(summarize(report), 'reconcile finished with failures')
    throw new Error(`reconcile: ${report.failures.length} orphans could not be checked or removed`)
  }
  log.info(summarize(report), 'reconcile finished')
  return report
}
