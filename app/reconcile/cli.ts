// npm run reconcile [-- --dry-run]: finds objects without items, items without objects and
// variants without items, and removes them (or, with --dry-run, only reports them). Prints the
// report as JSON on stdout; exits 1 when something could not be checked or removed.
// Configured like the service (same environment variables); in local mode it opens the
// embedded stack's data under DATA_DIR, so stop `node app` first.
import { parseArgs } from 'node:util'
import { ConfigError, loadConfig, type Config } from '../config.js'
import { createAwsClients, destroyAwsClients, type ClientTarget } from '../plugins/aws-clients.js'
import { reconcile } from './reconcile.js'
import { summarize } from './summary.js'

const { values: flags } = parseArgs({ options: { 'dry-run': { type: 'boolean', default: false } } })

let config: Config
try {
  config = loadConfig(process.env)
} catch (err) {
  if (!(err instanceof ConfigError)) throw err
  console.error(err.message)
  process.exit(2)
}

let target: ClientTarget = { endpoints: config.endpoints }
let closeStack = async (): Promise<void> => {}
if (config.mode === 'local') {
  const { startLocalStack } = await import('../plugins/local-stack.js')
  try {
    const stack = await startLocalStack({ dataDir: config.dataDir })
    target = { endpoints: stack.endpoints, credentials: stack.credentials }
    closeStack = stack.close
  } catch (err) {
    console.error(`Cannot open the local data in ${config.dataDir} (${(err as Error).message}). Stop \`node app\` first, or set AWS_ENDPOINT_URL_S3 and AWS_ENDPOINT_URL_DYNAMODB to its local ports.`)
    process.exit(2)
  }
}

const clients = createAwsClients(config, target)
try {
  const report = await reconcile(clients, { bucket: config.bucket, table: config.table, graceMs: config.reconcileGraceMs, dryRun: flags['dry-run'] })
  process.stdout.write(JSON.stringify(report, null, 2) + '\n')
  const { found } = summarize(report) as { found: Record<string, number> }
  console.error(`${report.dryRun ? 'dry run: would remove' : 'removed'} ${found['orphanOriginals']} orphaned originals, ${found['imagesWithoutOriginal']} images without original, ${found['orphanVariants']} orphaned variants, ${found['unfinishedDeletes']} half-deleted images, ${found['strayUploads']} stray direct uploads; ${found['failures']} failures`)
  process.exitCode = report.failures.length > 0 ? 1 : 0
} finally {
  destroyAwsClients(clients)
  await closeStack()
}
