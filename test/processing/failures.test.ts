import t from 'tap'
import { HeadObjectCommand, PutObjectCommand, DeleteObjectCommand } from '@aws-sdk/client-s3'
import { DeleteCommand } from '@aws-sdk/lib-dynamodb'
import { buildTestApp, testClients } from '../helpers/build-app.js'
import { startEmbeddedStack } from '../helpers/stand-ins.js'
import { fixture, multipartBody } from '../helpers/multipart.js'
import { listKeys, scanItems } from '../helpers/inspect.js'
import { attachProcessor } from '../helpers/processing.js'
import { newImageId, originalKey } from '../../app/lib/keys.js'
import { putImageRecord } from '../../app/services/metadata.js'
import { processOriginal } from '../../app/processing/process-original.js'
import { destroyAwsClients } from '../../app/plugins/aws-clients.js'

const stack = await startEmbeddedStack()
t.teardown(() => stack.close())
const silent = { debug () {}, info () {}, warn () {}, error () {} }

async function upload (app: Awaited<ReturnType<typeof buildTestApp>>['app'], name: string, content = fixture(name)) {
  const res = await app.inject({ method: 'POST', url: '/upload', ...await multipartBody([{ filename: name, content }]) })
  if (res.statusCode !== 201) throw new Error(`upload of ${name}: ${res.statusCode} ${res.body}`)
  return res.json() as { id: string, key: string }
}

/** An item as the upload path writes it, without going through the upload path's checks. */
const processingItem = (id: string, bucket: string, contentType: string) => ({
  id,
  key: originalKey(id),
  bucket,
  filename: 'x',
  contentType,
  size: 1,
  sha256: '0'.repeat(64),
  width: 64,
  height: 48,
  uploadedAt: new Date().toISOString(),
  status: 'processing' as const,
  deleteToken: 'unused'
})

t.test('an image that cannot be decoded fails with a reason, keeps its original, and the next one still processes', async t => {
  const { app, config, clients } = await buildTestApp(t, stack.endpoints)
  const processing = attachProcessor(t, stack.s3rver, { config, clients })

  // TIFF's directory sits early in this file, so the header probe accepts the first 60%.
  const tiff = fixture('image.tiff')
  const broken = await upload(app, 'broken.tiff', tiff.subarray(0, Math.floor(tiff.length * 0.6)))
  t.match(await processing.outcomeOf(broken.id), { result: 'failed' })
  // The first 60% of a JPEG, stored straight into S3 (POST /upload now refuses a truncated JPEG).
  const id = newImageId()
  const jpeg = fixture('image.jpg')
  await putImageRecord(clients.ddb, config.table, processingItem(id, config.bucket, 'image/jpeg'))
  await clients.s3.send(new PutObjectCommand({ Bucket: config.bucket, Key: originalKey(id), Body: jpeg.subarray(0, Math.floor(jpeg.length * 0.6)) }))
  t.match(await processing.outcomeOf(id), { result: 'failed', detail: /premature end/ })
  const good = await upload(app, 'image.png')
  t.match(await processing.outcomeOf(good.id), { result: 'ready' }, 'the processor carried on')

  const record = (await app.inject({ method: 'GET', url: `/images/${broken.id}` })).json()
  t.match(record, { status: 'failed', failureReason: /^The image could not be decoded: .+/ })
  t.notOk(record.variants)
  const keys = await listKeys(clients.s3, config.bucket)
  t.same(keys.filter(key => !key.includes(good.id)).sort(), [broken.key, originalKey(id)].sort(), 'originals kept, no variants')

  const thumb = await app.inject({ method: 'GET', url: `/images/${broken.id}/thumb` })
  t.equal(thumb.statusCode, 404)
  t.match(thumb.json(), { code: 'NOT_FOUND', message: /could not be processed.*could not be decoded/ })
  t.equal((await app.inject({ method: 'GET', url: `/images/${broken.id}/original` })).statusCode, 302, 'the original is still served')
})

t.test('a replayed event changes nothing: item and variants stay as they were', async t => {
  const { app, config, clients } = await buildTestApp(t, stack.endpoints)
  const processing = attachProcessor(t, stack.s3rver, { config, clients })
  const image = await upload(app, 'image.webp')
  t.match(await processing.outcomeOf(image.id), { result: 'ready' })
  const before = await scanItems(clients.ddb, config.table)
  const head = (key: string) => clients.s3.send(new HeadObjectCommand({ Bucket: config.bucket, Key: key }))
  const variantsBefore = await Promise.all(['thumb', 'display'].map(name => head(`processed/${image.id}/${name}.webp`)))

  const [event] = processing.eventsFor(image.key)
  t.ok(event, 'the original event was seen')
  // The processor writes through these clients: any write it makes for the replay is seen here.
  const writes: string[] = []
  clients.s3.middlewareStack.add((next, context) => async (args) => {
    if (context.commandName !== 'GetObjectCommand' && context.commandName !== 'HeadObjectCommand') writes.push(`${String(context.commandName)} ${String((args.input as { Key?: string }).Key)}`)
    return next(args)
  }, { step: 'initialize', name: 'recordWrites' })
  stack.s3rver.emit('event', event)
  t.match(await processing.outcomeOf(image.id), { result: 'skipped', detail: 'already ready' })

  t.same(writes, [], 'nothing was written to S3 for the replay')
  t.same(await scanItems(clients.ddb, config.table), before, 'the item is unchanged (processedAt too)')
  const variantsAfter = await Promise.all(['thumb', 'display'].map(name => head(`processed/${image.id}/${name}.webp`)))
  for (const [i, after] of variantsAfter.entries()) t.equal(after.ETag, variantsBefore[i]!.ETag, 'the variant is the same object')
})

t.test('the processor refuses images over MAX_PIXELS, whichever decoder they need', async t => {
  const { app, config, clients } = await buildTestApp(t, stack.endpoints)
  // The upload path allows 64x48; this processor's limit is lower.
  const processing = attachProcessor(t, stack.s3rver, { config, clients }, { maxPixels: 1000 })
  for (const name of ['image.jpg', 'image.heic', 'image.bmp']) {
    const image = await upload(app, name)
    t.match(await processing.outcomeOf(image.id), { result: 'failed', detail: /pixel limit|over the limit of 1000/ }, name)
  }
})

t.test('an object whose item never comes: skipped once the object is gone, retried while it stays', async t => {
  const { config, clients } = await buildTestApp(t, stack.endpoints)
  const processing = attachProcessor(t, stack.s3rver, { config, clients }, { processItemWaitMs: 400 })
  const rolledBack = newImageId()
  await clients.s3.send(new PutObjectCommand({ Bucket: config.bucket, Key: originalKey(rolledBack), Body: fixture('image.png') }))
  await clients.s3.send(new DeleteObjectCommand({ Bucket: config.bucket, Key: originalKey(rolledBack) }))
  t.match(await processing.outcomeOf(rolledBack), { result: 'skipped', detail: /gone/ }, 'an upload rolled back is no error')

  const orphan = newImageId()
  await clients.s3.send(new PutObjectCommand({ Bucket: config.bucket, Key: originalKey(orphan), Body: fixture('image.png') }))
  const result = await processing.outcomeOf(orphan)
  t.equal(result.result, 'error', 'reported as an error, so Lambda would retry the event')
  t.match(processing.logs.find(line => line.level === 'error'), { message: /retried/, fields: { imageId: orphan } })
})

t.test('an image deleted while its variants were being made leaves no variant behind', async t => {
  const { config, clients } = await buildTestApp(t, stack.endpoints)
  const id = newImageId()
  await putImageRecord(clients.ddb, config.table, processingItem(id, config.bucket, 'image/png'))
  await clients.s3.send(new PutObjectCommand({ Bucket: config.bucket, Key: originalKey(id), Body: fixture('image.png') }))
  // A DELETE that completes between the processor's read and its final write: no stand-in can
  // time that, so the item is removed just before the processor's update reaches DynamoDB.
  const racing = testClients(config)
  t.teardown(() => destroyAwsClients(racing))
  racing.ddb.middlewareStack.add((next, context) => async (args) => {
    if (context.commandName === 'UpdateItemCommand') await clients.ddb.send(new DeleteCommand({ TableName: config.table, Key: { id } }))
    return next(args)
  }, { step: 'initialize', name: 'deleteBeforeUpdate' })

  const outcome = await processOriginal({ config, s3: clients.s3, ddb: racing.ddb, log: silent }, { bucket: config.bucket, key: originalKey(id), id })
  t.match(outcome, { result: 'skipped', detail: 'deleted while processing' })
  t.same((await listKeys(clients.s3, config.bucket)).filter(key => key.startsWith('processed/')), [], 'the variants it wrote are gone')
  t.same(await scanItems(clients.ddb, config.table), [], 'and no item was brought back')
})
