// S3 answers a missing key with 403 when s3:ListBucket does not apply to the request, and with
// 403 too when a bucket policy or a KMS key refuses the read. s3rver answers 404 for a missing key
// and refuses nothing, so both 403s are injected on the processor's real client; the processor is
// called as Lambda calls it. A missing original is skipped; a refused one fails the event (Lambda
// retries it, then the DLQ keeps it) and the image stays `processing`, not silently dropped.
import t, { type Test } from 'tap'
import { DeleteObjectCommand } from '@aws-sdk/client-s3'
import { buildTestApp, testClients } from '../helpers/build-app.js'
import { startEmbeddedStack } from '../helpers/stand-ins.js'
import { fixture, multipartBody } from '../helpers/multipart.js'
import { scanItems } from '../helpers/inspect.js'
import { s3EventRecord } from '../helpers/s3-events.js'
import { handleS3Event } from '../../app/processing/handle-event.js'
import { destroyAwsClients } from '../../app/plugins/aws-clients.js'

const stack = await startEmbeddedStack()
t.teardown(() => stack.close())
const silent = { debug () {}, info () {}, warn () {}, error () {} }

const accessDenied = () => Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 } })

/** An uploaded image waiting for its variants, and a processor client whose reads of it answer 403. */
async function uploadedImage (t: Test) {
  const { app, config, clients } = await buildTestApp(t, stack.endpoints)
  const { payload, headers } = await multipartBody([{ filename: 'image.png', content: fixture('image.png') }])
  const image = (await app.inject({ method: 'POST', url: '/upload', payload, headers: { ...headers, accept: 'application/json' } })).json()
  const processor = testClients(config)
  t.teardown(() => destroyAwsClients(processor))
  const listed: string[] = []
  processor.s3.middlewareStack.add((next, context) => async (args) => {
    const input = args.input as { Key?: string, Prefix?: string }
    if (context.commandName === 'ListObjectsV2Command') listed.push(String(input.Prefix))
    if ((context.commandName === 'GetObjectCommand' || context.commandName === 'HeadObjectCommand') && input.Key === image.key) throw accessDenied()
    return next(args)
  }, { step: 'initialize', name: 'forbidReads' })
  const event = { Records: [s3EventRecord({ bucket: config.bucket, key: image.key })] }
  const deps = { config, ...processor, log: silent }
  const statusOf = async () => (await scanItems(clients.ddb, config.table)).find(item => item['id'] === image.id)?.['status']
  return { config, clients, image, event, deps, listed, statusOf }
}

t.test('a 403 on an original that exists is a refusal: the event fails and the image stays processing', async t => {
  const { image, event, deps, listed, statusOf } = await uploadedImage(t)
  await t.rejects(handleS3Event(deps, event), AggregateError, 'the handler throws, so Lambda retries and then dead-letters the event')
  t.same(listed, [image.key], 'the key was listed to tell a refusal from a missing key')
  t.equal(await statusOf(), 'processing')
})

t.test('a 403 on an original that is gone means gone: the event is skipped', async t => {
  const { config, clients, image, event, deps, listed } = await uploadedImage(t)
  await clients.s3.send(new DeleteObjectCommand({ Bucket: config.bucket, Key: image.key }))
  const outcomes = await handleS3Event(deps, event)
  t.match(outcomes, [{ id: image.id, result: 'skipped' }])
  t.ok(listed.includes(image.key), 'the listing found no such key')
})
