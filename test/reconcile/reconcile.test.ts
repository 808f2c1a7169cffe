/**
 * Reconcile against fauxqs + DynamoDB Local, with orphans written directly through the SDK:
 * an original without an item (a crash between the two writes), an item without its original,
 * variants without an item, direct uploads the processor will never move; next to healthy
 * images, a pending direct upload and a fresh orphan still inside the grace period. Tiny pages
 * make every listing paginate.
 */
import t, { type Test } from 'tap'
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import { PutObjectCommand } from '@aws-sdk/client-s3'
import { PutCommand } from '@aws-sdk/lib-dynamodb'
import { reconcile, type ReconcileOptions } from '../../app/reconcile/reconcile.js'
import { incomingKey, originalKey } from '../../app/lib/keys.js'
import { IMAGE_KIND } from '../../app/lib/table.js'
import { ensureStorage } from '../../app/plugins/provision.js'
import { destroyAwsClients, type AwsClients } from '../../app/plugins/aws-clients.js'
import type { Config } from '../../app/config.js'
import { testClients, testConfig } from '../helpers/build-app.js'
import { storedState } from '../helpers/inspect.js'
import { startDynamoDbLocal, startFauxqsS3 } from '../helpers/stand-ins.js'
import { cleanEnv, standInEnv } from '../helpers/node-app.js'

/** The world's images whose objects a reconcile run removes (the expired pending upload aside). */
const REMOVED = ['orphanOriginal', 'imageWithoutOriginal', 'orphanVariants', 'halfDeleted', 'halfDeletedVariants', 'strayUpload']

/** The keys a run at the real time leaves: every key but those of the images it removes. */
const keysLeft = (keys: string[], ids: Record<string, string>): string[] =>
  keys.filter(key => REMOVED.every(name => !key.includes(ids[name]!)))

const HOUR = 3_600_000
const ROOT = join(import.meta.dirname, '..', '..')
/** Where the processor writes an image's variants. */
const variantKey = (id: string, name: string): string => `processed/${id}/${name}.webp`
const [s3, dynamodb] = await Promise.all([startFauxqsS3(), startDynamoDbLocal()])
t.teardown(() => Promise.all([s3.stop(), dynamodb.stop()]))
const target = { s3: s3.url, dynamodb: dynamodb.url }

interface World { config: Config, clients: AwsClients, ids: Record<string, string>, options: (extra?: Partial<ReconcileOptions>) => ReconcileOptions }

/** A bucket and table holding healthy images and one of each kind of leftover. */
async function world (t: Test): Promise<World> {
  const config = testConfig(target)
  const clients = testClients(config)
  t.teardown(() => destroyAwsClients(clients))
  await ensureStorage(clients.s3, clients.ddb, config)
  const putObject = (key: string) => clients.s3.send(new PutObjectCommand({ Bucket: config.bucket, Key: key, Body: `bytes of ${key}` }))
  const putItem = (id: string, fields: Record<string, unknown> = { kind: IMAGE_KIND, status: 'ready' }) =>
    clients.ddb.send(new PutCommand({ TableName: config.table, Item: { id, key: originalKey(id), uploadedAt: new Date().toISOString(), ...fields } }))
  const ids = Object.fromEntries(['orphanOriginal', 'imageWithoutOriginal', 'orphanVariants', 'pending', 'halfDeleted', 'halfDeletedVariants', 'strayUpload', 'expiredPending'].map(name => [name, randomUUID()]))

  for (let i = 0; i < 5; i++) {
    const id = randomUUID()
    await putObject(originalKey(id))
    await putItem(id)
    await putObject(variantKey(id, 'thumb'))
    await putObject(variantKey(id, 'display'))
  }
  await putObject(originalKey(ids['orphanOriginal']!))
  await putItem(ids['imageWithoutOriginal']!)
  await putObject(variantKey(ids['imageWithoutOriginal']!, 'thumb'))
  await putObject(variantKey(ids['orphanVariants']!, 'thumb'))
  await putObject(variantKey(ids['orphanVariants']!, 'display'))
  // A direct upload that landed and waits for processing: its item is not in the index yet.
  const inSeconds = (ms: number): number => Math.ceil((Date.now() + ms) / 1000)
  await putObject(incomingKey(ids['pending']!))
  await putItem(ids['pending']!, { status: 'pending', expiresAt: inSeconds(3 * HOUR) })
  // Direct uploads the processor never moved: one with no item (it landed after a DELETE and
  // its event was lost), one whose pending item is past its TTL (which DynamoDB Local ignores)
  // and whose admission broke off after copying it to originals/.
  await putObject(incomingKey(ids['strayUpload']!))
  await putObject(incomingKey(ids['expiredPending']!))
  await putObject(originalKey(ids['expiredPending']!))
  await putItem(ids['expiredPending']!, { status: 'pending', expiresAt: inSeconds(HOUR) })
  // DELETEs that failed half way: items marked deleting (out of the index), objects still there.
  await putObject(originalKey(ids['halfDeleted']!))
  await putObject(variantKey(ids['halfDeleted']!, 'thumb'))
  await putItem(ids['halfDeleted']!, { status: 'deleting' })
  await putObject(variantKey(ids['halfDeletedVariants']!, 'display'))
  await putItem(ids['halfDeletedVariants']!, { status: 'deleting' })

  const options = (extra: Partial<ReconcileOptions> = {}): ReconcileOptions =>
    ({ bucket: config.bucket, table: config.table, graceMs: HOUR, dryRun: false, now: Date.now() + 2 * HOUR, pageSize: 2, ...extra })
  return { config, clients, ids, options }
}

t.test('a dry run reports every kind of orphan and removes nothing', async t => {
  const { config, clients, ids, options } = await world(t)
  const before = await storedState(clients, config)
  const report = await reconcile(clients, options({ dryRun: true }))
  t.match(report, {
    dryRun: true,
    checked: { originals: 8, images: 6, variantSets: 9, directUploads: 3 },
    imagesWithoutOriginal: [ids['imageWithoutOriginal']],
    orphanVariants: [variantKey(ids['orphanVariants']!, 'display'), variantKey(ids['orphanVariants']!, 'thumb')].sort(),
    failures: []
  })
  t.same(report.orphanOriginals.sort(), [originalKey(ids['orphanOriginal']!), originalKey(ids['expiredPending']!)].sort(), 'an item past its TTL counts as none')
  t.same(report.strayUploads.sort(), [incomingKey(ids['strayUpload']!), incomingKey(ids['expiredPending']!)].sort(), 'direct uploads never to be moved')
  t.same(report.unfinishedDeletes.sort(), [ids['halfDeleted'], ids['halfDeletedVariants']].sort(), 'half-done deletes, each once')
  t.same(await storedState(clients, config), before, 'nothing removed')
})

t.test('a run removes exactly the orphans; a second run finds nothing', async t => {
  const { config, clients, ids, options } = await world(t)
  const before = await storedState(clients, config)
  const report = await reconcile(clients, options())
  t.equal(report.orphanOriginals.length + report.imagesWithoutOriginal.length, 3)
  t.equal(report.orphanVariants.length, 2)
  const after = await storedState(clients, config)
  const removed = REMOVED.map(name => ids[name]!)
  t.same(after.keys, before.keys.filter(key => removed.every(id => !key.includes(id)) && !key.includes(ids['expiredPending']!)),
    'the orphaned original, the variants of the image without original, the orphaned variants, the half-deleted images\' objects and the stray direct uploads are gone')
  t.same(after.items.map(item => item['id']).sort(), before.items.map(item => item['id']).filter(id => !removed.includes(String(id))).sort(),
    'the items without original and of half-deleted images are gone; pending items stay (their TTL removes them)')
  t.ok(after.keys.includes(incomingKey(ids['pending']!)), 'the pending direct upload\'s object stays')

  const again = await reconcile(clients, options())
  t.same([again.orphanOriginals, again.imagesWithoutOriginal, again.orphanVariants, again.unfinishedDeletes, again.strayUploads, again.failures], [[], [], [], [], [], []])
})

/**
 * Makes every HeadObject the client sends answer 403 with no body, as S3 does for a HEAD when the
 * caller may read the key but s3:ListBucket does not apply to the request: the reconcile role may
 * list only under its prefixes (an s3:prefix condition, which a HEAD does not carry), so in AWS a
 * missing original answers 403, not 404. fauxqs (like s3rver) answers 404 to anyone, so the
 * stand-in's real response gets S3's status here, below the SDK's own deserializer. `before` runs
 * ahead of the request (e.g. to let an upload finish after the listing).
 */
function headAnswers403 (clients: AwsClients, before: (key: string) => Promise<void> = async () => {}): string[] {
  const heads: string[] = []
  clients.s3.middlewareStack.add((next, context) => async (args) => {
    if (context.commandName !== 'HeadObjectCommand') return next(args)
    const key = (args.input as { Key: string }).Key
    heads.push(key)
    await before(key)
    const result = await next(args)
    const response = result.response as { statusCode: number, reason?: string }
    response.statusCode = 403
    response.reason = 'Forbidden'
    return result
  }, { step: 'deserialize', priority: 'low', name: 'headAnswers403' })
  return heads
}

t.test('an original S3 answers 403 for is missing when the listing confirms it: the image is removed, as with a 404', async t => {
  const { config, clients, ids, options } = await world(t)
  const heads = headAnswers403(clients)
  const report = await reconcile(clients, options())
  t.same(heads, [originalKey(ids['imageWithoutOriginal']!)], 'the one original not in the listing is looked up')
  t.same(report.failures, [])
  t.same(report.imagesWithoutOriginal, [ids['imageWithoutOriginal']])
  const after = await storedState(clients, config)
  t.notOk(after.items.some(item => item['id'] === ids['imageWithoutOriginal']), 'its item is gone')
  t.notOk(after.keys.some(key => key.includes(ids['imageWithoutOriginal']!)), 'and its variant')
})

t.test('a 403 for an original that is there (it landed after the listing) is a refusal: reported, nothing removed', async t => {
  const { config, clients, ids, options } = await world(t)
  const id = ids['imageWithoutOriginal']!
  headAnswers403(clients, key => clients.s3.send(new PutObjectCommand({ Bucket: config.bucket, Key: key, Body: 'late original' })).then(() => {}))
  const report = await reconcile(clients, options())
  t.match(report.failures, [{ target: id }], 'the next run tries again (the CLI exits 1)')
  t.equal(report.failures.length, 1)
  t.same(report.imagesWithoutOriginal, [], 'the image is kept')
  const after = await storedState(clients, config)
  t.ok(after.items.some(item => item['id'] === id), 'its item stays')
  t.ok(after.keys.includes(originalKey(id)) && after.keys.includes(variantKey(id, 'thumb')), 'its original and variant stay')
})

t.test('objects inside the grace period are left alone: their upload may still write its item', async t => {
  const { clients, options } = await world(t)
  const report = await reconcile(clients, options({ dryRun: true, now: Date.now() }))
  t.same(report.orphanOriginals, [], 'the fresh orphaned original is not touched')
  t.same(report.orphanVariants, [], 'nor the fresh variants')
  t.same(report.unfinishedDeletes, [], 'nor a delete that may still be running')
  t.same(report.strayUploads, [], 'nor a direct upload the processor may still be checking')
  t.equal(report.imagesWithoutOriginal.length, 1, 'an item whose original is missing has no grace: it is checked with HeadObject')
})

/** The environment the CLI and the Lambda function run with: the service's own variables. */
const serviceEnv = (config: Config): Record<string, string> => ({
  ...standInEnv({ s3: s3.url, dynamodb: dynamodb.url }, config.region),
  BUCKET_NAME: config.bucket,
  TABLE_NAME: config.table,
  RECONCILE_GRACE_MS: '0',
  LOG_LEVEL: 'silent'
})

t.test('npm run reconcile: --dry-run prints the report; without it, the orphans are removed', async t => {
  const { config, clients, ids } = await world(t)
  const run = (...args: string[]) => new Promise<{ code: number | null, stdout: string, stderr: string }>(resolve => {
    const child = spawn('npm', ['run', '--silent', 'reconcile', '--', ...args], { cwd: ROOT, env: cleanEnv(serviceEnv(config)) })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
    child.once('exit', code => resolve({ code, stdout, stderr }))
  })
  const before = await storedState(clients, config)
  const dry = await run('--dry-run')
  t.equal(dry.code, 0, dry.stderr)
  t.match(JSON.parse(dry.stdout), { dryRun: true, orphanOriginals: [originalKey(ids['orphanOriginal']!)], imagesWithoutOriginal: [ids['imageWithoutOriginal']] })
  t.match(dry.stderr, /dry run: would remove 1 orphaned originals, 1 images without original, 2 orphaned variants, 2 half-deleted images, 1 stray direct uploads; 0 failures/)
  t.same((await storedState(clients, config)).keys, before.keys, 'nothing removed by the dry run')

  const real = await run()
  t.equal(real.code, 0, real.stderr)
  t.match(real.stderr, /removed 1 orphaned originals/)
  // The pending item that expires within the hour is not past its TTL yet at the real now.
  t.same((await storedState(clients, config)).keys, keysLeft(before.keys, ids), 'exactly the objects of the world\'s broken images are gone')
})

t.test('the reconcile_images Lambda handler: {"dryRun": true} only reports, the scheduled event removes', async t => {
  const { config, clients, ids } = await world(t)
  Object.assign(process.env, serviceEnv(config))
  const { handler } = await import('../../app/reconcile-lambda.js')
  const before = await storedState(clients, config)
  const dry = await handler({ dryRun: true })
  t.same(dry.orphanOriginals, [originalKey(ids['orphanOriginal']!)])
  t.same((await storedState(clients, config)).keys, before.keys, 'nothing removed by the dry run')
  const scheduled = { version: '0', 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} }
  const report = await handler(scheduled)
  t.equal(report.dryRun, false)
  t.same(report.imagesWithoutOriginal, [ids['imageWithoutOriginal']])
  // The pending item that expires within the hour is not past its TTL yet at the real now.
  t.same((await storedState(clients, config)).keys, keysLeft(before.keys, ids), 'exactly the objects of the world\'s broken images are gone')
})
