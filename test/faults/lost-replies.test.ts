/**
 * A write whose reply is lost: the SDK retries it, and real S3 answers the retry 412, since the
 * original is written with IfNoneMatch: '*' and the first attempt stored it. The stand-ins ignore
 * IfNoneMatch, so the 412 is injected (SDK middleware on the app's real client) after the write
 * really happened: the upload must succeed, with exactly the object it sent.
 */
import t, { type Test } from 'tap'
import { buildTestApp, testClients, testConfig } from '../helpers/build-app.js'
import { startEmbeddedStack } from '../helpers/stand-ins.js'
import { fixture, largePng, multipartBody } from '../helpers/multipart.js'
import { readObject, sha256, storedState } from '../helpers/inspect.js'
import { ensureStorage } from '../../app/plugins/provision.js'

const stack = await startEmbeddedStack()
t.teardown(() => stack.close())
const MiB = 1024 * 1024

const preconditionFailed = () => Object.assign(new Error('At least one of the pre-conditions you specified did not hold'), {
  name: 'PreconditionFailed', $fault: 'client', $metadata: { httpStatusCode: 412 }
})

/** The app, whose S3 client lets `command` through and then answers it 412, as S3 answers the retry. */
async function appWithLostReply (t: Test, command: string, tamper?: (input: Record<string, unknown>) => void) {
  const config = testConfig(stack.endpoints, { S3_PART_SIZE: String(5 * MiB) })
  const clients = testClients(config)
  t.teardown(() => clients.s3.destroy())
  await ensureStorage(clients.s3, clients.ddb, config)
  let injected = 0
  clients.s3.middlewareStack.add((next, context) => async (args) => {
    if (context.commandName !== command) return next(args)
    tamper?.(args.input as Record<string, unknown>)
    await next(args)
    injected += 1
    throw preconditionFailed()
  }, { step: 'initialize', name: 'loseTheReply' })
  const { app } = await buildTestApp(t, stack.endpoints, { BUCKET_NAME: config.bucket, TABLE_NAME: config.table, S3_PART_SIZE: String(5 * MiB) }, { s3: clients.s3 })
  return { app, config, clients: testClients(config), injected: () => injected }
}

async function upload (app: Awaited<ReturnType<typeof appWithLostReply>>['app'], content: Buffer) {
  const { payload, headers } = await multipartBody([{ filename: 'image.png', content }])
  return app.inject({ method: 'POST', url: '/upload', payload, headers: { ...headers, accept: 'application/json' } })
}

for (const [name, command, content] of [
  ['one PutObject', 'PutObjectCommand', fixture('image.png')],
  ['a multipart upload', 'CompleteMultipartUploadCommand', largePng(7 * MiB)]
] as const) {
  t.test(`${name} answered 412 after it stored the object: the upload succeeds with its own bytes`, async t => {
    const { app, config, clients, injected } = await appWithLostReply(t, command)
    const res = await upload(app, content)
    t.equal(injected(), 1, 'the 412 was injected')
    t.equal(res.statusCode, 201, res.body)
    const { keys, items } = await storedState(clients, config)
    t.same(keys, [res.json().key])
    t.match(items, [{ id: res.json().id, sha256: sha256(content), size: content.length }])
    t.equal(sha256((await readObject(clients.s3, config.bucket, keys[0]!)).bytes), sha256(content), 'the stored bytes are the upload\'s')
  })
}

t.test('a 412 over an object that is not whole is not taken for success: nothing is kept', async t => {
  const content = fixture('image.png')
  const { app, config, clients, injected } = await appWithLostReply(t, 'PutObjectCommand', input => {
    input['Body'] = Buffer.from(content.subarray(0, 100))
  })
  const res = await upload(app, content)
  t.equal(injected(), 1)
  t.ok(res.statusCode >= 500, `refused (${res.statusCode})`)
  t.notMatch(res.body, /stored object|originals\//, 'no internals in the answer')
  t.same(await storedState(clients, config), { keys: [], items: [] }, 'rolled back')
})
