// Races around a direct upload's admission that no stand-in can time: each is injected with a
// middleware on a second set of clients, and the processor is called as Lambda would call it.
import t, { type Test } from 'tap'
import { PutObjectCommand } from '@aws-sdk/client-s3'
import { DeleteCommand } from '@aws-sdk/lib-dynamodb'
import { buildTestApp, testClients } from '../helpers/build-app.js'
import { startEmbeddedStack } from '../helpers/stand-ins.js'
import { fixture } from '../helpers/multipart.js'
import { listKeys, scanItems } from '../helpers/inspect.js'
import { s3EventRecord } from '../helpers/s3-events.js'
import { incomingKey } from '../../app/lib/keys.js'
import { handleS3Event } from '../../app/processing/handle-event.js'
import { destroyAwsClients } from '../../app/plugins/aws-clients.js'

const stack = await startEmbeddedStack()
t.teardown(() => stack.close())
const silent = { debug () {}, info () {}, warn () {}, error () {} }
const png = fixture('image.png')

async function landedDirectUpload (t: Test) {
  const target = await buildTestApp(t, stack.endpoints)
  const { app, config, clients } = target
  const grant = (await app.inject({ method: 'POST', url: '/uploads', payload: { filename: 'a.png', size: png.length, type: 'image/png' } })).json()
  // What the browser's POST leaves in S3 (no processor listens to this stack's events).
  await clients.s3.send(new PutObjectCommand({ Bucket: config.bucket, Key: incomingKey(grant.id), Body: png, ContentType: 'image/png' }))
  const event = { Records: [s3EventRecord({ bucket: config.bucket, key: incomingKey(grant.id), size: png.length, eventName: 'ObjectCreated:Post' })] }
  const racing = testClients(config)
  t.teardown(() => destroyAwsClients(racing))
  const keysOf = async (): Promise<string[]> => (await listKeys(clients.s3, config.bucket)).filter(key => key.includes(grant.id)).sort()
  const itemOf = async () => (await scanItems(clients.ddb, config.table)).find(item => item['id'] === grant.id)
  return { ...target, id: grant.id as string, event, racing, keysOf, itemOf }
}

t.test('a file replaced between the check and the copy is not copied: the replacement\'s own event decides', async t => {
  const { config, clients, id, event, racing, keysOf, itemOf } = await landedDirectUpload(t)
  const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(png.length - 9, 0x20)])
  racing.s3.middlewareStack.add((next, context) => async (args) => {
    if (context.commandName !== 'CopyObjectCommand') return next(args)
    // The grant used again while the first file was being checked. S3 refuses the copy, whose
    // x-amz-copy-source-if-match names the checked object; s3rver ignores that header.
    await clients.s3.send(new PutObjectCommand({ Bucket: config.bucket, Key: incomingKey(id), Body: pdf, ContentType: 'image/png' }))
    throw Object.assign(new Error('At least one of the pre-conditions you specified did not hold'), { name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } })
  }, { step: 'initialize', name: 'replaceBeforeCopy' })

  const [outcome] = await handleS3Event({ config, s3: racing.s3, ddb: clients.ddb, log: silent }, event)
  t.match(outcome, { result: 'skipped', detail: /replaced while it was checked/ })
  t.same(await keysOf(), [incomingKey(id)], 'no original')
  t.match(await itemOf(), { status: 'pending' })

  const [next] = await handleS3Event({ config, s3: clients.s3, ddb: clients.ddb, log: silent }, event)
  t.match(next, { result: 'refused', detail: /detected application\/pdf/ })
  t.same(await keysOf(), [], 'the replacement is deleted')
  t.match(await itemOf(), { status: 'rejected' })
})

t.test('an image deleted between the copy and its admission leaves no original behind', async t => {
  const { config, clients, id, event, racing, keysOf, itemOf } = await landedDirectUpload(t)
  racing.ddb.middlewareStack.add((next, context) => async (args) => {
    if (context.commandName === 'UpdateItemCommand') await clients.ddb.send(new DeleteCommand({ TableName: config.table, Key: { id } }))
    return next(args)
  }, { step: 'initialize', name: 'deleteBeforeAdmission' })

  const [outcome] = await handleS3Event({ config, s3: clients.s3, ddb: racing.ddb, log: silent }, event)
  t.match(outcome, { result: 'skipped', detail: 'no longer pending: deleted' })
  t.same(await keysOf(), [], 'neither the copy nor the upload is left')
  t.equal(await itemOf(), undefined)
})

t.test('a second delivery of the same event after admission only removes what is left under incoming/', async t => {
  const { config, clients, id, event, keysOf, itemOf } = await landedDirectUpload(t)
  const deps = { config, s3: clients.s3, ddb: clients.ddb, log: silent }
  t.match((await handleS3Event(deps, event))[0], { result: 'admitted' })
  t.match((await handleS3Event(deps, event))[0], { result: 'skipped', detail: 'stray upload deleted: the image is processing' })
  t.same(await keysOf(), [`originals/${id}`], 'the original stays')
  t.match(await itemOf(), { status: 'processing', kind: 'image' })
})
