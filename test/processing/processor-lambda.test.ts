import t from 'tap'
import { PutObjectCommand } from '@aws-sdk/client-s3'
import { buildTestApp } from '../helpers/build-app.js'
import { CREDENTIALS, startEmbeddedStack } from '../helpers/stand-ins.js'
import { fixture, multipartBody } from '../helpers/multipart.js'
import { listKeys, scanItems } from '../helpers/inspect.js'
import { s3Event } from '../helpers/s3-events.js'
import { newImageId, originalKey } from '../../app/lib/keys.js'

const stack = await startEmbeddedStack()
t.teardown(() => stack.close())
// No processor listens to s3rver here: only the Lambda handler, invoked by the tests, processes.
const { app, config, clients } = await buildTestApp(t, stack.endpoints)

// What the function's environment holds on AWS, pointed at the stand-ins. The module reads it
// when loaded, so it is imported only after.
Object.assign(process.env, {
  AWS_LAMBDA_FUNCTION_NAME: 'process_image',
  APP_MODE: 'endpoints',
  AWS_ENDPOINT_URL_S3: stack.endpoints.s3,
  AWS_ENDPOINT_URL_DYNAMODB: stack.endpoints.dynamodb,
  AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
  BUCKET_NAME: config.bucket,
  TABLE_NAME: config.table,
  PROCESS_ITEM_WAIT_MS: '300',
  LOG_LEVEL: 'info'
})
const { handler } = await import('../../app/processor-lambda.js')

/** Runs the handler, keeping the JSON lines it writes to stdout (CloudWatch's input). */
async function invoke (event: unknown): Promise<{ result?: Awaited<ReturnType<typeof handler>>, error?: unknown, logs: Array<Record<string, unknown>> }> {
  const lines: string[] = []
  const write = process.stdout.write
  process.stdout.write = ((chunk: string) => { lines.push(chunk); return true }) as typeof process.stdout.write
  try {
    return { result: await handler(event as Parameters<typeof handler>[0]), logs: lines.map(line => JSON.parse(line)) }
  } catch (error) {
    return { error, logs: lines.map(line => JSON.parse(line)) }
  } finally {
    process.stdout.write = write
  }
}

async function upload (name: string): Promise<{ id: string, key: string, size: number }> {
  const res = await app.inject({ method: 'POST', url: '/upload', ...await multipartBody([{ filename: name, content: fixture(name) }]) })
  return res.json()
}

t.test('an ObjectCreated:Put event makes the variants and a ready item; JSON log lines say so', async t => {
  const image = await upload('image.heic')
  const { result, logs } = await invoke(s3Event({ bucket: config.bucket, key: image.key, size: image.size }))
  t.match(result, { outcomes: [{ id: image.id, result: 'ready' }] })
  const item = (await scanItems(clients.ddb, config.table)).find(i => i['id'] === image.id)
  t.match(item, { status: 'ready', width: 64, height: 48, variants: { thumb: { key: `processed/${image.id}/thumb.webp` } } })
  t.match(logs, [{ level: 'INFO', msg: 'image processed', imageId: image.id, result: 'ready', ms: Number, timestamp: String }])
})

t.test('records that are not originals of this bucket are ignored; the original among them is processed', async t => {
  const image = await upload('image.jpg')
  const { result } = await invoke(s3Event(
    { bucket: config.bucket, key: `processed/${image.id}/thumb.webp` },
    { bucket: 'someone-elses-bucket', key: image.key },
    { bucket: config.bucket, key: image.key, eventName: 'ObjectRemoved:Delete' },
    { bucket: config.bucket, key: 'originals/not an id.jpg' },
    { bucket: config.bucket, key: image.key, eventName: 'ObjectCreated:CompleteMultipartUpload' }
  ))
  t.same(result?.outcomes.map(outcome => outcome.result), ['ignored', 'ignored', 'ignored', 'ignored', 'ready'])
  t.equal(result?.outcomes[3]?.detail, 'key originals/not an id.jpg is not an original or a direct upload', 'the key was URL-decoded')
})

t.test('a delivery of the same event again is skipped', async t => {
  const image = await upload('image.bmp')
  const event = s3Event({ bucket: config.bucket, key: image.key })
  t.match((await invoke(event)).result, { outcomes: [{ result: 'ready' }] })
  const before = await scanItems(clients.ddb, config.table)
  t.match((await invoke(event)).result, { outcomes: [{ result: 'skipped', detail: 'already ready' }] })
  t.same(await scanItems(clients.ddb, config.table), before)
})

t.test('a record that cannot be done yet makes the invocation fail (Lambda retries it), after the others are done', async t => {
  const orphan = newImageId()
  await clients.s3.send(new PutObjectCommand({ Bucket: config.bucket, Key: originalKey(orphan), Body: fixture('image.png') }))
  const image = await upload('image.gif')
  const { error, logs } = await invoke(s3Event({ bucket: config.bucket, key: originalKey(orphan) }, { bucket: config.bucket, key: image.key }))
  t.type(error, AggregateError)
  t.match((error as Error).message, '1 of 2 records could not be processed')
  t.match(logs.find(line => line['level'] === 'ERROR'), { imageId: orphan, err: { type: 'ItemNotWritten', message: /no item/ } })
  t.ok((await listKeys(clients.s3, config.bucket)).includes(`processed/${image.id}/display.webp`), 'the other record was processed')
})
