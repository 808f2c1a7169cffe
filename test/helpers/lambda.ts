/**
 * What the Lambda tests share: stand-ins plus the environment a deployed function would see,
 * and the cases every build of the handler (source module, bundle) must pass.
 */
import type { Test } from 'tap'
import type { LambdaResponse } from '@fastify/aws-lambda'
import type { Config } from '../../app/config.js'
import type { LambdaHandler } from '../../app/lambda-handler.js'
import { destroyAwsClients, type AwsClients } from '../../app/plugins/aws-clients.js'
import { ensureStorage } from '../../app/plugins/provision.js'
import { testClients, testConfig } from './build-app.js'
import { readObject, sha256, storedState } from './inspect.js'
import { httpApiEvent, lambdaContext, restApiEvent, type EventRequest } from './lambda-events.js'
import { fixture, largePng, multipartBody } from './multipart.js'
import { CREDENTIALS, startEmbeddedStack } from './stand-ins.js'

export interface LambdaTarget {
  /** The environment the function runs with: Lambda's variables, stand-in endpoints, credentials. */
  env: Record<string, string>
  /** The test's own view of the same bucket and table, for inspecting what the handler stored. */
  config: Config
  clients: AwsClients
}

/** Starts s3rver + dynalite, creates a bucket and a table for them, and stops it all at the end. */
export async function lambdaTarget (t: Test, extraEnv: Record<string, string> = {}): Promise<LambdaTarget> {
  const stack = await startEmbeddedStack()
  const config = testConfig(stack.endpoints)
  const clients = testClients(config)
  t.teardown(async () => {
    destroyAwsClients(clients)
    await stack.close()
  })
  await ensureStorage(clients.s3, clients.ddb, config)
  const env = {
    AWS_LAMBDA_FUNCTION_NAME: 'image-upload',
    APP_MODE: 'endpoints',
    AWS_ENDPOINT_URL_S3: stack.endpoints.s3,
    AWS_ENDPOINT_URL_DYNAMODB: stack.endpoints.dynamodb,
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    AWS_REGION: config.region,
    BUCKET_NAME: config.bucket,
    TABLE_NAME: config.table,
    LOG_LEVEL: 'silent',
    ...extraEnv
  }
  return { env, config, clients }
}

type EventShape = (request: EventRequest) => object

const SHAPES: Array<[string, EventShape]> = [['HTTP API 2.0', httpApiEvent], ['REST 1.0', restApiEvent]]

const invoke = (handler: LambdaHandler, event: object): Promise<LambdaResponse> => handler(event, lambdaContext())

async function uploadEvent (shape: EventShape, name: string, content: Buffer): Promise<object> {
  const body = await multipartBody([{ filename: name, content, type: 'application/octet-stream' }])
  return shape({ method: 'POST', path: '/upload', headers: { ...body.headers, accept: 'application/json' }, body: body.payload })
}

function assertJsonError (t: Test, res: LambdaResponse, status: number, code: string): void {
  t.equal(res.statusCode, status)
  t.match(res.headers['content-type'], /^application\/json/)
  t.equal(res.isBase64Encoded, false)
  t.match(JSON.parse(res.body), { statusCode: status, code, message: String })
}

/** Uploads, refusals and health through `handler`, against the bucket and table of `target`. */
export function handlerCases (t: Test, getHandler: () => LambdaHandler, target: LambdaTarget): void {
  const { config, clients } = target
  const nothingStoredBy = async (t: Test, run: () => Promise<void>): Promise<void> => {
    const before = await storedState(clients, config)
    await run()
    t.same(await storedState(clients, config), before, 'nothing stored')
  }

  for (const [shapeName, shape] of SHAPES) {
    for (const [name, type] of [['image.jpg', 'image/jpeg'], ['image.webp', 'image/webp']] as const) {
      t.test(`${shapeName}: a base64 multipart ${type} is stored byte for byte with its metadata`, async t => {
        const content = fixture(name)
        const res = await invoke(getHandler(), await uploadEvent(shape, name, content))
        t.equal(res.statusCode, 201, res.body)
        t.equal(res.isBase64Encoded, false, 'JSON goes back as text')
        const record = JSON.parse(res.body)
        t.equal(res.headers['location'], `/images/${record.id}`)
        const stored = await readObject(clients.s3, config.bucket, `originals/${record.id}`)
        t.equal(sha256(stored.bytes), sha256(content), 'stored bytes equal the fixture')
        const { items } = await storedState(clients, config)
        t.match(items.find(item => item['id'] === record.id), {
          id: record.id,
          kind: 'image',
          key: `originals/${record.id}`,
          bucket: config.bucket,
          filename: name,
          contentType: type,
          size: content.length,
          sha256: sha256(content),
          width: 64,
          height: 48,
          uploadedAt: /^\d{4}-\d\d-\d\dT.*Z$/
        })
      })
    }
  }

  t.test('a file that is not an image: 415 UNSUPPORTED_TYPE, nothing stored', t => nothingStoredBy(t, async () => {
    const res = await invoke(getHandler(), await uploadEvent(httpApiEvent, 'notes.txt', Buffer.from('just some text\n'.repeat(100))))
    assertJsonError(t, res, 415, 'UNSUPPORTED_TYPE')
  }))

  t.test('the Lambda default limit (4 MiB) lets a file of exactly 4 MiB through', async t => {
    t.equal(config.maxUploadBytes, 10 * 1024 * 1024, 'the test view has the server default; the function must not')
    const content = largePng(4 * 1024 * 1024)
    const res = await invoke(getHandler(), await uploadEvent(httpApiEvent, 'big.png', content))
    t.equal(res.statusCode, 201, res.body)
    const stored = await readObject(clients.s3, config.bucket, JSON.parse(res.body).key)
    t.equal(sha256(stored.bytes), sha256(content))
  })

  t.test('one byte over the Lambda limit: 413 FILE_TOO_LARGE, nothing stored', t => nothingStoredBy(t, async () => {
    const res = await invoke(getHandler(), await uploadEvent(httpApiEvent, 'big.png', largePng(4 * 1024 * 1024 + 1)))
    assertJsonError(t, res, 413, 'FILE_TOO_LARGE')
    t.match(JSON.parse(res.body).message, /limit of 4194304 bytes/)
  }))

  for (const [shapeName, shape] of SHAPES) {
    t.test(`${shapeName}: POST /upload without a body: 415 NOT_MULTIPART, nothing stored`, t => nothingStoredBy(t, async () => {
      assertJsonError(t, await invoke(getHandler(), shape({ method: 'POST', path: '/upload' })), 415, 'NOT_MULTIPART')
    }))
  }

  t.test('a multipart content type with no body: 400 NO_FILE, nothing stored', t => nothingStoredBy(t, async () => {
    const event = httpApiEvent({ method: 'POST', path: '/upload', headers: { 'content-type': 'multipart/form-data; boundary=x' } })
    assertJsonError(t, await invoke(getHandler(), event), 400, 'NO_FILE')
  }))

  for (const [shapeName, shape] of SHAPES) {
    t.test(`${shapeName}: GET /health answers 200`, async t => {
      const res = await invoke(getHandler(), shape({ method: 'GET', path: '/health' }))
      t.equal(res.statusCode, 200)
      t.same(JSON.parse(res.body), { status: 'ok' })
    })
  }

  t.test('an unknown route is a JSON 404', async t => {
    assertJsonError(t, await invoke(getHandler(), httpApiEvent({ method: 'GET', path: '/nope' })), 404, 'NOT_FOUND')
  })
}
