import { randomUUID } from 'node:crypto'
import t from 'tap'
import { PutObjectCommand } from '@aws-sdk/client-s3'
import { bundle, ENTRIES } from '../../infra/bundle.js'
import { originalKey } from '../../app/lib/keys.js'
import { listKeys } from '../helpers/inspect.js'
import { lambdaTarget } from '../helpers/lambda.js'
import { jsonLines, LAMBDA_LEVELS, startSandbox, unpackArchive } from '../helpers/lambda-sandbox.js'
import { tempDir } from '../helpers/stand-ins.js'

// reconcile_images from its archive, run as Lambda unpacks it, on EventBridge's scheduled event.
const out = await tempDir('reconcile-archive-')
t.teardown(() => out.remove())
const [built] = await bundle(ENTRIES.filter(entry => entry.name === 'reconcile'), { outDir: out.path })
const archive = await unpackArchive(built!.zip)
t.teardown(() => archive.remove())
const target = await lambdaTarget(t)
const env = { ...target.env, RECONCILE_GRACE_MS: '0', LOG_LEVEL: 'info' }
const SCHEDULED = { version: '0', id: randomUUID(), 'detail-type': 'Scheduled Event', source: 'aws.events', account: '123456789012', time: new Date().toISOString(), region: 'us-east-1', resources: ['arn:aws:events:us-east-1:123456789012:rule/reconcile'], detail: {} }

t.test('the scheduled event removes an orphaned original; the summary line is INFO', async t => {
  const reconcile = await startSandbox(archive, { functionName: 'reconcile_images', env })
  t.teardown(() => reconcile.stop())
  t.match(reconcile.nodeVersion, /^v22\./)
  t.same(reconcile.writable, { taskRoot: false, tmp: true })
  const orphan = originalKey(randomUUID())
  await target.clients.s3.send(new PutObjectCommand({ Bucket: target.config.bucket, Key: orphan, Body: 'orphan' }))
  const report = await reconcile.invoke(SCHEDULED)
  t.match(report, { dryRun: false, orphanOriginals: [orphan], failures: [] })
  t.notOk((await listKeys(target.clients.s3, target.config.bucket)).includes(orphan), 'removed')
  t.match(jsonLines(reconcile).find(line => line['msg'] === 'reconcile finished'), { level: 'INFO', timestamp: String })
  // Its ERROR line ('reconcile finished with failures') is written by the same jsonLog as the
  // processor's, whose archive test sees it; the stand-ins cannot fail one removal alone.
  for (const line of jsonLines(reconcile)) t.match(line['level'], LAMBDA_LEVELS, String(line['msg']))
})
