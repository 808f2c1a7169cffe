import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import t from 'tap'
import { bundle, ENTRIES } from '../../infra/bundle.js'
import type { LambdaHandler } from '../../app/lambda-handler.js'
import { handlerCases, lambdaTarget } from '../helpers/lambda.js'
import { httpApiEvent, lambdaContext, restApiEvent } from '../helpers/lambda-events.js'
import { invokeBundleInChild, nodeModulesAbove } from '../helpers/run-bundle.js'
import { tempDir } from '../helpers/stand-ins.js'

// Built by the build script's own function into a temporary folder outside the project, so
// the bundle can only resolve what it carries (plus Node's builtins).
const out = await tempDir('lambda-bundle-')
t.teardown(() => out.remove())
const [built] = await bundle(ENTRIES.filter(entry => entry.name === 'lambda'), { outDir: out.path })
const bundlePath = join(out.path, 'lambda', 'index.mjs')
const target = await lambdaTarget(t)
Object.assign(process.env, target.env)
const { handler } = await import(pathToFileURL(bundlePath).href) as { handler: LambdaHandler }

t.test('the archive folder holds the bundle, its source map and the browser assets, and no node_modules', async t => {
  t.equal(nodeModulesAbove(out.path), undefined, 'no node_modules the bundle could fall back on')
  t.same(readdirSync(join(out.path, 'lambda')).sort(), ['index.mjs', 'index.mjs.map', 'public'])
  t.same(readdirSync(join(out.path, 'lambda', 'public')).sort(), ['style.css', 'upload.js'])
  t.match(built, { name: 'lambda', modules: [], files: [{ path: bundlePath }, { path: `${bundlePath}.map` }] })
  t.ok(built!.files[0]!.gzipBytes < built!.files[0]!.bytes, 'sizes are measured')
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

t.test('cold start in a fresh process: JSON log lines on stdout carry both request ids', async t => {
  const context = { awsRequestId: '8f5e2c1a-43b7-4c6e-9d2f-0a1b2c3d4e5f' }
  const event = httpApiEvent({ method: 'GET', path: '/health', requestId: 'PQRdApSOyKfHVKD=' })
  const { result, stdout } = await invokeBundleInChild(bundlePath, event, context, { ...target.env, LOG_LEVEL: 'info' })
  t.match(result, { statusCode: 200, body: '{"status":"ok"}', isBase64Encoded: false })
  const lines = stdout.map(line => JSON.parse(line) as Record<string, unknown>)
  const request = lines.filter(line => line['reqId'] !== undefined)
  const messages = request.map(line => line['msg'])
  t.ok(messages.includes('incoming request') && messages.includes('request completed'), stdout.join('\n'))
  for (const line of request) t.match(line, { awsRequestId: context.awsRequestId, apiRequestId: 'PQRdApSOyKfHVKD=', level: Number, time: Number })
})
