/**
 * Bodies the server has no use for must cost it nothing: unknown routes answer before parsing
 * and count against the rate limit, routes that take no body ignore one, and a route that takes
 * JSON or a form takes only that, and only a little of it.
 */
import t, { type Test } from 'tap'
import type { AddressInfo } from 'node:net'
import { buildTestApp } from '../helpers/build-app.js'
import { startEmbeddedStack } from '../helpers/stand-ins.js'

const stack = await startEmbeddedStack()
t.teardown(() => stack.close())

/** Valid JSON only to a parser that reads it whole: 524k nested arrays, as in the report. */
const nestedJson = '['.repeat(512 * 1024) + ']'.repeat(512 * 1024)
/** A body that any JSON parser refuses with 400: a route that answers otherwise did not parse it. */
const brokenJson = '{"not": json'

async function serve (t: Test, env: Record<string, string> = {}): Promise<string> {
  const { app } = await buildTestApp(t, stack.endpoints, env)
  await app.listen({ port: 0, host: '127.0.0.1' })
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
}

async function send (url: string, init: RequestInit): Promise<{ status: number, code: string | undefined, limit: string | null }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) })
  const text = await res.text()
  let code: string | undefined
  try { code = JSON.parse(text).code } catch { code = undefined }
  return { status: res.status, code, limit: res.headers.get('x-ratelimit-limit') }
}

const json = (body: string) => ({ body, headers: { 'content-type': 'application/json' } })

t.test('unknown routes and methods answer 404 without parsing the body, with rate-limit headers', async t => {
  const base = await serve(t, { RATE_LIMIT_GLOBAL_MAX: '50' })
  for (const [method, path] of [['POST', '/nope'], ['POST', '/health'], ['PUT', '/images'], ['PATCH', '/gallery']] as const) {
    t.match(await send(base + path, { method, ...json(brokenJson) }), { status: 404, code: 'NOT_FOUND', limit: '50' }, `${method} ${path} with broken JSON`)
  }
  t.match(await send(base + '/nope', { method: 'POST', ...json(nestedJson) }), { status: 404, code: 'NOT_FOUND', limit: '50' }, 'a megabyte of nested arrays')
  t.match(await send(base + '/images', { method: 'OPTIONS' }), { status: 404, limit: '50' }, 'OPTIONS that is not a preflight')
})

t.test('unknown routes count against the limit and are refused over it', async t => {
  const base = await serve(t, { RATE_LIMIT_GLOBAL_MAX: '3' })
  const statuses = []
  for (let i = 0; i < 5; i++) statuses.push((await send(base + '/nope', { method: 'POST', ...json(brokenJson) })).status)
  t.same(statuses, [404, 404, 404, 429, 429])
  t.equal((await send(base + '/images', { method: 'GET' })).status, 429, 'and they use up the budget of the real routes')
  t.equal((await send(base + '/health', { method: 'GET' })).status, 200, '/health stays exempt')
})

t.test('DELETE /images/:id ignores a body instead of parsing it', async t => {
  const base = await serve(t)
  const path = `${base}/images/00000000-0000-4000-8000-000000000000`
  t.match(await send(path, { method: 'DELETE', ...json(brokenJson), headers: { 'content-type': 'application/json', 'x-delete-token': 'A'.repeat(43) } }), { status: 204 }, 'an image that does not exist is already deleted')
})

t.test('POST /uploads takes a small JSON body only', async t => {
  const base = await serve(t)
  const grant = JSON.stringify({ filename: 'a.png', size: 1000, type: 'image/png' })
  t.equal((await send(base + '/uploads', { method: 'POST', ...json(grant) })).status, 201, 'a grant request')
  const padded = JSON.stringify({ filename: 'a.png', size: 1000, type: 'image/png', pad: 'x'.repeat(32 * 1024) })
  t.match(await send(base + '/uploads', { method: 'POST', ...json(padded) }), { status: 413, code: 'CTP_BODY_TOO_LARGE' }, '32 KiB of JSON')
})

t.test('the no-JavaScript delete form takes a form post only', async t => {
  const base = await serve(t)
  const path = `${base}/gallery/00000000-0000-4000-8000-000000000000/delete`
  t.match(await send(path, { method: 'POST', ...json(JSON.stringify({ token: 'x' })) }), { status: 415, code: 'CTP_INVALID_MEDIA_TYPE' }, 'JSON')
  t.match(await send(path, { method: 'POST', body: 'token=x', headers: { 'content-type': 'application/x-www-form-urlencoded' }, redirect: 'manual' }), { status: 303 }, 'a form post reaches the route (an image already gone counts as deleted)')
})
