/**
 * Rate limits per client: uploads have their own budget, everything else a looser one, /health
 * none. The client is the socket address, or in Lambda API Gateway's sourceIp: a client-chosen
 * X-Forwarded-For never buys a fresh budget.
 */
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildTestApp } from '../helpers/build-app.js'
import { startEmbeddedStack } from '../helpers/stand-ins.js'
import { fixture, multipartBody } from '../helpers/multipart.js'
import { eventually, storedState } from '../helpers/inspect.js'
import { lambdaTarget } from '../helpers/lambda.js'
import { httpApiEvent, lambdaContext } from '../helpers/lambda-events.js'
import { createLambdaHandler } from '../../app/lambda-handler.js'

const stack = await startEmbeddedStack()
t.teardown(() => stack.close())

const limits = { RATE_LIMIT_MAX: '3', RATE_LIMIT_GLOBAL_MAX: '5' }
/** A POST /upload that costs nothing to serve: refused as not multipart, but counted. */
const cheapUpload = (app: FastifyInstance, remoteAddress: string, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/upload', remoteAddress, headers: { 'content-type': 'text/plain', ...headers }, payload: 'x' })

t.test('the fourth upload in a window from one address: 429 RATE_LIMITED in our error format, with Retry-After', async t => {
  const { app } = await buildTestApp(t, stack.endpoints, limits)
  for (let i = 1; i <= 3; i++) t.equal((await cheapUpload(app, '203.0.113.1')).statusCode, 415, `upload ${i} is served`)
  const res = await cheapUpload(app, '203.0.113.1')
  t.equal(res.statusCode, 429)
  t.match(res.headers['content-type'], /^application\/json/)
  t.same(Object.keys(res.json()).sort(), ['code', 'error', 'message', 'statusCode'])
  t.match(res.json(), { statusCode: 429, error: 'Too Many Requests', code: 'RATE_LIMITED', message: /at most 3/ })
  const retryAfter = Number(res.headers['retry-after'])
  t.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After: ${res.headers['retry-after']}`)
  t.equal(res.headers['x-ratelimit-limit'], '3')
  t.equal(res.headers['x-ratelimit-remaining'], '0')

  t.equal((await cheapUpload(app, '203.0.113.2')).statusCode, 415, 'another address has its own budget')
  t.equal((await app.inject({ method: 'GET', url: '/', remoteAddress: '203.0.113.1' })).statusCode, 200, 'pages have a separate budget')
})

t.test('a limited upload is refused before its body is read: nothing stored', async t => {
  const { app, config, clients } = await buildTestApp(t, stack.endpoints, { RATE_LIMIT_MAX: '1' })
  const upload = async () => app.inject({ method: 'POST', url: '/upload', remoteAddress: '203.0.113.9', ...await multipartBody([{ filename: 'a.png', content: fixture('image.png') }]) })
  t.equal((await upload()).statusCode, 201)
  t.equal((await upload()).statusCode, 429)
  t.equal((await storedState(clients, config)).keys.length, 1, 'only the first upload was stored')
})

t.test('every other route shares the looser global budget; /health is never limited', async t => {
  const { app } = await buildTestApp(t, stack.endpoints, limits)
  for (let i = 0; i < 20; i++) t.equal((await app.inject({ method: 'GET', url: '/health', remoteAddress: '203.0.113.3' })).statusCode, 200)
  const urls = ['/', '/gallery', '/docs', '/openapi.json', '/assets/style.css']
  const statuses = []
  for (const url of urls) statuses.push((await app.inject({ method: 'GET', url, remoteAddress: '203.0.113.3' })).statusCode)
  t.notOk(statuses.includes(429), `first five served: ${statuses.join(' ')}`)
  const sixth = await app.inject({ method: 'GET', url: '/', remoteAddress: '203.0.113.3' })
  t.equal(sixth.statusCode, 429)
  t.match(sixth.json(), { code: 'RATE_LIMITED', message: /at most 5/ })
})

t.test('the budget comes back after RATE_LIMIT_WINDOW_MS', async t => {
  const { app } = await buildTestApp(t, stack.endpoints, { RATE_LIMIT_MAX: '1', RATE_LIMIT_WINDOW_MS: '1000' })
  t.equal((await cheapUpload(app, '203.0.113.4')).statusCode, 415)
  const limited = await cheapUpload(app, '203.0.113.4')
  t.equal(limited.statusCode, 429)
  t.equal(limited.headers['retry-after'], '1', 'it says when to come back')
  // Asked again until the window has passed: the first answer that is not a 429 is the budget back.
  t.ok(await eventually(async () => (await cheapUpload(app, '203.0.113.4')).statusCode === 415, 5_000), 'served again once the window has passed')
})

t.test('without TRUST_PROXY_HOPS, X-Forwarded-For is ignored: spoofing it buys nothing', async t => {
  const { app } = await buildTestApp(t, stack.endpoints, { RATE_LIMIT_MAX: '1' })
  t.equal((await cheapUpload(app, '203.0.113.5', { 'x-forwarded-for': '1.1.1.1' })).statusCode, 415)
  t.equal((await cheapUpload(app, '203.0.113.5', { 'x-forwarded-for': '2.2.2.2' })).statusCode, 429)
})

t.test('with TRUST_PROXY_HOPS=1, the address the proxy appended is the client; entries before it are not trusted', async t => {
  const { app } = await buildTestApp(t, stack.endpoints, { RATE_LIMIT_MAX: '1', TRUST_PROXY_HOPS: '1' })
  t.equal((await cheapUpload(app, '10.0.0.2', { 'x-forwarded-for': '1.1.1.1, 198.51.100.20' })).statusCode, 415)
  t.equal((await cheapUpload(app, '10.0.0.2', { 'x-forwarded-for': '2.2.2.2, 198.51.100.20' })).statusCode, 429, 'same client behind the proxy')
  t.equal((await cheapUpload(app, '10.0.0.2', { 'x-forwarded-for': '198.51.100.21' })).statusCode, 415, 'another client behind the proxy')
})

t.test('IPv6 clients are counted by their /64', async t => {
  const { app } = await buildTestApp(t, stack.endpoints, { RATE_LIMIT_MAX: '1' })
  t.equal((await cheapUpload(app, '2001:db8:1:2::1')).statusCode, 415)
  t.equal((await cheapUpload(app, '2001:db8:1:2::ffff')).statusCode, 429, 'same /64')
  t.equal((await cheapUpload(app, '2001:db8:1:3::1')).statusCode, 415, 'another /64')
})

t.test('in Lambda the client is API Gateway\'s sourceIp, whatever X-Forwarded-For says', async t => {
  const target = await lambdaTarget(t, { RATE_LIMIT_MAX: '1' })
  const entry = await createLambdaHandler(target.env, { logger: false })
  t.teardown(() => entry.close())
  const event = (sourceIp: string, forwardedFor: string) => {
    const base = httpApiEvent({ method: 'POST', path: '/upload', headers: { 'content-type': 'text/plain', 'x-forwarded-for': forwardedFor }, body: Buffer.from('x') })
    return { ...base, requestContext: { ...base.requestContext, http: { ...base.requestContext.http, sourceIp } } }
  }
  t.equal((await entry.handler(event('198.51.100.30', '1.1.1.1'), lambdaContext())).statusCode, 415)
  const limited = await entry.handler(event('198.51.100.30', '2.2.2.2, 198.51.100.30'), lambdaContext())
  t.equal(limited.statusCode, 429, 'a new X-Forwarded-For is the same client')
  t.match(JSON.parse(limited.body), { code: 'RATE_LIMITED' })
  t.ok(Number(limited.headers['retry-after']) >= 1)
  t.equal((await entry.handler(event('198.51.100.31', '1.1.1.1'), lambdaContext())).statusCode, 415, 'another sourceIp has its own budget')
})
