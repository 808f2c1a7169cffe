import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import type { LambdaResponse } from '@fastify/aws-lambda'
import { bundle, ENTRIES } from '../../infra/bundle.js'
import { eventually } from '../helpers/inspect.js'
import { handlerCases, lambdaTarget } from '../helpers/lambda.js'
import { httpApiEvent, lambdaContext, restApiEvent } from '../helpers/lambda-events.js'
import { nodeModulesAbove, startBundle } from '../helpers/run-bundle.js'
import { tempDir } from '../helpers/stand-ins.js'

// Built by the build script's own function into a temporary folder outside the project, and
// run there in its own node process, so it can only use what it carries and Node's builtins.
const out = await tempDir('lambda-bundle-')
t.teardown(() => out.remove())
const [built] = await bundle(ENTRIES.filter(entry => entry.name === 'lambda'), { outDir: out.path })
const bundlePath = join(out.path, 'lambda', 'index.mjs')
const target = await lambdaTarget(t)
const lambda = await startBundle(bundlePath, { ...target.env, LOG_LEVEL: 'info' })
t.teardown(() => lambda.stop())
const { awsRequestId } = lambdaContext()
const handler = (event: object, context: object) => lambda.invoke<LambdaResponse>(event, context)

t.test('the archive folder holds the bundle, its source map and the browser assets, and no node_modules', async t => {
  t.equal(nodeModulesAbove(out.path), undefined, 'no node_modules the bundle could fall back on')
  t.same(readdirSync(join(out.path, 'lambda')).sort(), ['index.mjs', 'index.mjs.map', 'public'])
  t.same(readdirSync(join(out.path, 'lambda', 'public')).sort(), ['gallery.js', 'image-page.js', 'style.css', 'upload.js'], 'every file of app/ui/public')
  t.match(built, { name: 'lambda', modules: [], files: [{ path: bundlePath }, { path: `${bundlePath}.map` }] })
  t.ok(built!.files[0]!.gzipBytes < built!.files[0]!.bytes, 'sizes are measured')
})

t.test('first invocation after the cold start: JSON log lines on stdout carry both request ids', async t => {
  const res = await handler(httpApiEvent({ method: 'GET', path: '/health', requestId: 'PQRdApSOyKfHVKD=' }), lambdaContext(awsRequestId))
  t.match(res, { statusCode: 200, body: '{"status":"ok"}', isBase64Encoded: false })
  // Logs travel on stdout, the result over IPC: wait for the request's last line.
  await eventually(() => lambda.stdout.some(line => line.includes('request completed')))
  const lines = lambda.stdout.map(line => JSON.parse(line) as Record<string, unknown>)
  const request = lines.filter(line => line['reqId'] !== undefined)
  const messages = request.map(line => line['msg'])
  t.ok(messages.includes('incoming request') && messages.includes('request completed'), lambda.stdout.join('\n'))
  for (const line of request) t.match(line, { awsRequestId, apiRequestId: 'PQRdApSOyKfHVKD=', level: 'INFO', timestamp: String })
})

handlerCases(t, () => handler, target)

t.test('the bundle serves the browser assets copied beside it, as text', async t => {
  const res = await handler(restApiEvent({ method: 'GET', path: '/assets/style.css' }), lambdaContext())
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^text\/css/)
  t.equal(res.isBase64Encoded, false)
  t.ok(res.body.length > 100)
})

t.test('the bundle builds the OpenAPI document', async t => {
  const res = await handler(httpApiEvent({ method: 'GET', path: '/openapi.json' }), lambdaContext())
  t.equal(res.statusCode, 200)
  t.ok(JSON.parse(res.body).paths['/upload'])
})
