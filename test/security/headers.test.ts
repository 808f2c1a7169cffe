/**
 * Security headers on every kind of response (pages, JSON, errors, redirects, assets, rate
 * limits) and CORS only for the configured origins.
 */
import t, { type Test } from 'tap'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { buildTestApp } from '../helpers/build-app.js'
import { startEmbeddedStack } from '../helpers/stand-ins.js'
import { fixture, multipartBody } from '../helpers/multipart.js'
import { buildApp } from '../../app/app.js'
import { loadConfig } from '../../app/config.js'
import { createAwsClients, destroyAwsClients } from '../../app/plugins/aws-clients.js'

const stack = await startEmbeddedStack()
t.teardown(() => stack.close())

function directives (res: LightMyRequestResponse): Map<string, string[]> {
  const csp = String(res.headers['content-security-policy'] ?? '')
  return new Map(csp.split(';').filter(Boolean).map(part => {
    const [name = '', ...values] = part.trim().split(/\s+/)
    return [name, values]
  }))
}

function assertSecurityHeaders (t: Test, res: LightMyRequestResponse, s3Origin: string): void {
  const csp = directives(res)
  t.same(csp.get('default-src'), ["'self'"])
  t.same(csp.get('script-src'), ["'self'"])
  t.same(csp.get('object-src'), ["'none'"])
  t.same(csp.get('frame-ancestors'), ["'none'"])
  t.same(csp.get('img-src'), ["'self'", 'data:', 'blob:', s3Origin])
  t.same(csp.get('connect-src'), ["'self'", s3Origin])
  t.same(csp.get('form-action'), ["'self'"])
  t.same(csp.get('style-src'), ["'self'"], 'no inline styles, no styles from any https: host')
  t.same(csp.get('font-src'), ["'self'"])
  t.same(csp.get('script-src-attr'), ["'none'"])
  t.same(csp.get('base-uri'), ["'self'"])
  t.equal(res.headers['x-content-type-options'], 'nosniff')
  t.equal(res.headers['x-frame-options'], 'SAMEORIGIN')
  t.equal(res.headers['referrer-policy'], 'no-referrer')
  t.match(res.headers['strict-transport-security'], /max-age=\d+/)
  t.equal(res.headers['cross-origin-opener-policy'], 'same-origin')
  t.equal(res.headers['x-powered-by'], undefined)
}

t.test('every kind of response carries the security headers', async t => {
  const { app } = await buildTestApp(t, stack.endpoints, { RATE_LIMIT_GLOBAL_MAX: '50' })
  const upload = async (headers: Record<string, string> = {}) => {
    const body = await multipartBody([{ filename: 'a.png', content: fixture('image.png') }])
    return app.inject({ method: 'POST', url: '/upload', payload: body.payload, headers: { ...body.headers, ...headers } })
  }
  const responses: Array<[string, LightMyRequestResponse, number]> = [
    ['upload page', await app.inject('/'), 200],
    ['gallery', await app.inject('/gallery'), 200],
    ['API docs', await app.inject('/docs'), 200],
    ['OpenAPI document', await app.inject('/openapi.json'), 200],
    ['asset', await app.inject('/assets/upload.js'), 200],
    ['health', await app.inject('/health'), 200],
    ['upload', await upload(), 201],
    ['form upload redirect', await upload({ accept: 'text/html' }), 303],
    ['refused upload', await app.inject({ method: 'POST', url: '/upload', payload: 'x', headers: { 'content-type': 'text/plain' } }), 415],
    ['unknown route', await app.inject('/nope'), 404]
  ]
  for (let i = 0; i < 50; i++) await app.inject('/gallery/00000000-0000-4000-8000-000000000000')
  responses.push(['rate limited', await app.inject('/'), 429])
  for (const [name, res, status] of responses) {
    t.test(`${name}: ${status}`, async t => {
      t.equal(res.statusCode, status)
      assertSecurityHeaders(t, res, stack.endpoints.s3)
      t.notOk(directives(res).has('upgrade-insecure-requests'), 'no upgrade on a plain-http local server')
    })
  }
})

t.test('on AWS the CSP names the bucket\'s regional S3 origin and upgrades insecure requests', async t => {
  const config = loadConfig({ APP_MODE: 'aws', BUCKET_NAME: 'image-upload-bucket', AWS_REGION: 'eu-west-1', LOG_LEVEL: 'silent' })
  const clients = createAwsClients(config, { credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' } })
  const app = await buildApp(config, clients, { logger: false })
  t.teardown(async () => { await app.close(); destroyAwsClients(clients) })
  const res = await app.inject('/health')
  assertSecurityHeaders(t, res, 'https://image-upload-bucket.s3.eu-west-1.amazonaws.com')
  t.same(directives(res).get('upgrade-insecure-requests'), [])
})

async function preflight (app: FastifyInstance, origin: string) {
  return app.inject({ method: 'OPTIONS', url: '/upload', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } })
}

t.test('CORS by default: same origin only, no CORS header for anyone', async t => {
  const { app } = await buildTestApp(t, stack.endpoints)
  const res = await app.inject({ method: 'GET', url: '/health', headers: { origin: 'https://evil.example' } })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['access-control-allow-origin'], undefined)
  const pre = await preflight(app, 'https://evil.example')
  t.equal(pre.statusCode, 204)
  t.equal(pre.headers['access-control-allow-origin'], undefined)
  t.equal(pre.headers['access-control-allow-methods'], undefined)
})

t.test('CORS_ORIGINS: a listed origin is echoed with Vary: Origin; any other gets nothing', async t => {
  const { app } = await buildTestApp(t, stack.endpoints, { CORS_ORIGINS: 'https://app.example,http://localhost:5173' })
  const res = await app.inject({ method: 'GET', url: '/health', headers: { origin: 'http://localhost:5173' } })
  t.equal(res.headers['access-control-allow-origin'], 'http://localhost:5173')
  t.match(res.headers['vary'], /Origin/)
  t.equal(res.headers['access-control-allow-credentials'], undefined, 'never with credentials')

  const pre = await preflight(app, 'https://app.example')
  t.equal(pre.statusCode, 204)
  t.equal(pre.headers['access-control-allow-origin'], 'https://app.example')
  t.match(pre.headers['access-control-allow-methods'], /POST/)
  t.match(pre.headers['access-control-allow-headers'], /content-type/)

  for (const origin of ['https://evil.example', 'https://app.example.evil.example', 'null', 'https://APP.example']) {
    const other = await preflight(app, origin)
    t.equal(other.headers['access-control-allow-origin'], undefined, `${origin} is not allowed`)
  }
})

t.test('CORS_ORIGINS must be a comma list of origins: a wildcard or a path refuses to boot', async t => {
  t.throws(() => loadConfig({ CORS_ORIGINS: '*' }), /CORS_ORIGINS/)
  t.throws(() => loadConfig({ CORS_ORIGINS: 'https://app.example/path' }), /CORS_ORIGINS/)
  t.same(loadConfig({}).corsOrigins, [])
})
