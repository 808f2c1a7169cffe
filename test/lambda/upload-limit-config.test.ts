import t from 'tap'
import { loadConfig } from '../../app/config.js'
import { createLambdaHandler, type LambdaContext } from '../../app/lambda-handler.js'
import { lambdaTarget } from '../helpers/lambda.js'
import { httpApiEvent, lambdaContext } from '../helpers/lambda-events.js'
import { largePng, multipartBody } from '../helpers/multipart.js'

/** Lambda's limit on a synchronous invocation's payload: the whole event, as JSON. */
const INVOKE_PAYLOAD_LIMIT = 6_291_456

t.test('in Lambda the default limit lets the largest file, and one byte more, reach the app inside the invoke payload', async t => {
  const target = await lambdaTarget(t)
  // The SDK's default credential chain reads the process's environment, as in a Lambda container.
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: target.env['AWS_ACCESS_KEY_ID'], AWS_SECRET_ACCESS_KEY: target.env['AWS_SECRET_ACCESS_KEY'] })
  const { handler, config, close } = await createLambdaHandler(target.env, { logger: false })
  t.teardown(close)
  const event = async (size: number) => {
    const { payload, headers } = await multipartBody([{ filename: 'large.png', content: largePng(size) }])
    return httpApiEvent({ method: 'POST', path: '/upload', body: payload, headers: { ...headers, accept: 'application/json' } })
  }
  const invoke = (body: object) => handler(body as never, lambdaContext() as LambdaContext) as Promise<{ statusCode: number, body: string }>

  const largest = await event(config.maxUploadBytes)
  t.ok(Buffer.byteLength(JSON.stringify(largest)) < INVOKE_PAYLOAD_LIMIT, 'the largest allowed file fits the invoke payload, base64 and all')
  t.equal((await invoke(largest)).statusCode, 201, 'and is stored')

  const over = await event(config.maxUploadBytes + 1)
  t.ok(Buffer.byteLength(JSON.stringify(over)) < INVOKE_PAYLOAD_LIMIT, 'one byte more still reaches the app')
  const refused = await invoke(over)
  t.equal(refused.statusCode, 413, 'which answers its own 413, not a gateway error')
  t.equal(JSON.parse(refused.body).code, 'FILE_TOO_LARGE')
})

t.test('an explicit MAX_UPLOAD_BYTES wins in Lambda; outside Lambda the default is larger', async t => {
  t.equal(loadConfig({ AWS_LAMBDA_FUNCTION_NAME: 'image-upload', MAX_UPLOAD_BYTES: '1048576' }).maxUploadBytes, 1048576)
  t.equal(loadConfig({ AWS_LAMBDA_FUNCTION_NAME: 'image-upload', MAX_UPLOAD_BYTES: '10485760' }).maxUploadBytes, 10485760)
  const lambdaDefault = loadConfig({ AWS_LAMBDA_FUNCTION_NAME: 'image-upload' }).maxUploadBytes
  t.ok(loadConfig({}).maxUploadBytes > lambdaDefault, 'node app is not held to API Gateway\'s limit')
  t.equal(loadConfig({ AWS_LAMBDA_FUNCTION_NAME: '' }).maxUploadBytes, loadConfig({}).maxUploadBytes, 'an empty function name is not Lambda')
})
