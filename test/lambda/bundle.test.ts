import { randomUUID } from 'node:crypto'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import type { LambdaResponse } from '@fastify/aws-lambda'
import { bundle, ENTRIES } from '../../infra/bundle.js'
import { eventually } from '../helpers/inspect.js'
import { handlerCases, lambdaTarget } from '../helpers/lambda.js'
import { httpApiEvent, lambdaContext, restApiEvent } from '../helpers/lambda-events.js'
import { jsonLines, LAMBDA_LEVELS, startSandbox, unpackArchive } from '../helpers/lambda-sandbox.js'
import { nodeModulesAbove } from '../helpers/run-bundle.js'
import { tempDir } from '../helpers/stand-ins.js'

// Building (esbuild, fetching sharp's packages, zipping) takes tens of seconds on two busy cores.
t.setTimeout(240_000)

// upload_image from its archive: built by the build script's own function into a temporary
// folder outside the project, and run from the zip as Lambda unpacks it (lambda-sandbox.ts).
const out = await tempDir('lambda-bundle-')
t.teardown(() => out.remove())
const [built] = await bundle(ENTRIES.filter(entry => entry.name === 'lambda'), { outDir: out.path })
const archive = await unpackArchive(built!.zip)
t.teardown(() => archive.remove())
const target = await lambdaTarget(t)
const lambda = await startSandbox(archive, { functionName: 'upload_image', env: { ...target.env, LOG_LEVEL: 'info' } })
t.teardown(() => lambda.stop())
const { awsRequestId } = lambdaContext()
const handler = (event: object, context: object) => lambda.invoke<LambdaResponse>(event, context)

t.test('the archive holds the bundle, its source map and the browser assets, and no node_modules', async t => {
  t.equal(nodeModulesAbove(archive.taskRoot), undefined, 'no node_modules the code could fall back on')
  t.same(readdirSync(archive.taskRoot).sort(), ['index.mjs', 'index.mjs.map', 'public'])
  t.same(readdirSync(join(archive.taskRoot, 'public')).sort(), ['gallery.js', 'image-page.js', 'style.css', 'upload.js'], 'every file of app/ui/public')
  t.match(built, { name: 'lambda', modules: [], zip: join(out.path, 'lambda.zip') })
  t.ok(built!.files[0]!.gzipBytes < built!.files[0]!.bytes, 'sizes are measured')
})

t.test('it runs on Node 22 in a read-only folder with only its /tmp writable', async t => {
  t.match(lambda.nodeVersion, /^v22\./)
  t.same(lambda.writable, { taskRoot: false, tmp: true })
})

t.test('first invocation after the cold start: JSON log lines on stdout carry both request ids and Lambda\'s level names', async t => {
  const res = await handler(httpApiEvent({ method: 'GET', path: '/health', requestId: 'PQRdApSOyKfHVKD=' }), lambdaContext(awsRequestId))
  t.match(res, { statusCode: 200, body: '{"status":"ok"}', isBase64Encoded: false })
  // Logs travel on stdout, the result over IPC: wait for the request's last line.
  await eventually(() => lambda.stdout.some(line => line.includes('request completed')))
  const lines = jsonLines(lambda)
  const request = lines.filter(line => line['reqId'] !== undefined)
  const messages = request.map(line => line['msg'])
  t.ok(messages.includes('incoming request') && messages.includes('request completed'), lambda.stdout.join('\n'))
  for (const line of request) t.match(line, { awsRequestId, apiRequestId: 'PQRdApSOyKfHVKD=', level: 'INFO', timestamp: String })
  for (const line of lines) t.match(line['level'], LAMBDA_LEVELS, String(line['msg']))
})

handlerCases(t, () => handler, target)

t.test('the archive serves the browser assets unpacked beside it, as text', async t => {
  const res = await handler(restApiEvent({ method: 'GET', path: '/assets/style.css' }), lambdaContext())
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^text\/css/)
  t.equal(res.isBase64Encoded, false)
  t.ok(res.body.length > 100)
})

t.test('the archive builds the OpenAPI document', async t => {
  const res = await handler(httpApiEvent({ method: 'GET', path: '/openapi.json' }), lambdaContext())
  t.equal(res.statusCode, 200)
  t.ok(JSON.parse(res.body).paths['/upload'])
})

t.test('a request that fails is logged at ERROR, the level Lambda files it under', async t => {
  // Nothing listens on port 9: every DynamoDB call fails, and the app answers 503.
  const broken = await startSandbox(archive, { functionName: 'upload_image', env: { ...target.env, LOG_LEVEL: 'info', AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9', AWS_MAX_ATTEMPTS: '1' } })
  t.teardown(() => broken.stop())
  const context = lambdaContext()
  const res = await broken.invoke<LambdaResponse>(httpApiEvent({ method: 'GET', path: `/images/${randomUUID()}` }), context)
  t.equal(res.statusCode, 503, res.body)
  await eventually(() => broken.stdout.some(line => line.includes('request completed')))
  const mine = jsonLines(broken).filter(line => line['awsRequestId'] === context.awsRequestId)
  t.match(mine.find(line => line['msg'] === 'request failed'), { level: 'ERROR', err: { message: String } }, broken.stdout.join('\n'))
  t.ok(mine.every(line => LAMBDA_LEVELS.test(String(line['level']))))
})
