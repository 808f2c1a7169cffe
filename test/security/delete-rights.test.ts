/**
 * Who may delete, beyond test/routes/images-delete.test.ts (wrong, missing and foreign tokens,
 * the admin key): the comparisons are constant-time by construction, tokens only count in
 * headers (also as API Gateway delivers them to Lambda), and no read route gives a token or its
 * hash away.
 */
import t from 'tap'
import * as crypto from 'node:crypto'
import { createLambdaHandler } from '../../app/lambda-handler.js'
import { hashSecret } from '../../app/lib/delete-token.js'
import { buildTestApp } from '../helpers/build-app.js'
import { storedState } from '../helpers/inspect.js'
import { lambdaTarget } from '../helpers/lambda.js'
import { httpApiEvent, lambdaContext, restApiEvent } from '../helpers/lambda-events.js'
import { fixture, multipartBody } from '../helpers/multipart.js'
import { startEmbeddedStack } from '../helpers/stand-ins.js'

const ADMIN_KEY = 'admin-key-for-security-tests-0123456789'
const stack = await startEmbeddedStack()
t.teardown(() => stack.close())
const { app, config, clients } = await buildTestApp(t, stack.endpoints, { ADMIN_API_KEY: ADMIN_KEY })

async function upload (): Promise<{ id: string, deleteToken: string }> {
  const res = await app.inject({ method: 'POST', url: '/upload', ...await multipartBody([{ filename: 'a.png', content: fixture('image.png') }]) })
  return res.json()
}

t.test('secretMatches compares fixed-length digests with timingSafeEqual, whatever length the caller sends', async t => {
  const compared: Array<[number, number]> = []
  const { secretMatches } = await t.mockImport<typeof import('../../app/lib/delete-token.js')>('../../app/lib/delete-token.js', {
    'node:crypto': {
      ...crypto,
      timingSafeEqual: (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
        compared.push([a.byteLength, b.byteLength])
        return crypto.timingSafeEqual(a, b)
      }
    }
  })
  const token = 'right-token-right-token-right-token-right-t'
  const hash = hashSecret(token)
  const attempts = [token, token.slice(0, -1), `${token}x`, 'x', 'y'.repeat(10_000), `${token.slice(0, 42)}!`]
  t.same(attempts.map(attempt => secretMatches(attempt, hash)), [true, false, false, false, false, false])
  t.same(compared, attempts.map(() => [32, 32]), 'one 32-byte constant-time comparison per attempt, right or wrong, short or long')
})

t.test('a delete checks the token and the admin key every time, so its duration does not tell which one failed', async t => {
  const checks: Array<string | undefined> = []
  const real = await import('../../app/lib/delete-token.js')
  const { deleteImage } = await t.mockImport<typeof import('../../app/services/delete-image.js')>('../../app/services/delete-image.js', {
    '../../app/lib/delete-token.js': {
      ...real,
      secretMatches: (secret: string | undefined, expected: string | undefined) => {
        checks.push(secret)
        return real.secretMatches(secret, expected)
      }
    }
  })
  const deps = { config, ...clients }
  for (const right of [{ deleteToken: 'wrong' }, { apiKey: 'wrong' }, { deleteToken: 'wrong', apiKey: ADMIN_KEY }]) {
    const image = await upload()
    checks.length = 0
    await deleteImage(deps, image.id, right).catch(() => undefined)
    t.equal(checks.length, 2, `both checks ran for ${JSON.stringify(right)}`)
  }
  const image = await upload()
  checks.length = 0
  t.equal(await deleteImage(deps, image.id, { deleteToken: image.deleteToken }), 'deleted')
  t.equal(checks.length, 2, 'both checks ran for the right token too')
})

t.test('a token in the query string does not count: only the header does', async t => {
  const image = await upload()
  for (const query of [`x-delete-token=${image.deleteToken}`, `deleteToken=${image.deleteToken}`, `x-api-key=${ADMIN_KEY}`]) {
    const res = await app.inject({ method: 'DELETE', url: `/images/${image.id}?${query}` })
    t.equal(res.statusCode, 403, `${query.split('=')[0] ?? ''} in the query`)
  }
  t.ok((await storedState(clients, config)).items.some(item => item['id'] === image.id), 'the image is still there')
})

t.test('no read route gives the delete token or its hash away', async t => {
  const image = await upload()
  for (const url of [`/images/${image.id}`, '/images', `/gallery/${image.id}`, '/gallery']) {
    const res = await app.inject(url)
    t.equal(res.statusCode, 200, url)
    t.notOk(res.body.includes(image.deleteToken) || res.body.includes(hashSecret(image.deleteToken)), `${url} holds neither`)
  }
})

t.test('through API Gateway and Lambda: a capitalised X-Delete-Token header works, a wrong one is refused', async t => {
  const target = await lambdaTarget(t, { ADMIN_API_KEY: ADMIN_KEY })
  // The function's clients take credentials from the default chain, as on AWS.
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: target.env['AWS_ACCESS_KEY_ID'], AWS_SECRET_ACCESS_KEY: target.env['AWS_SECRET_ACCESS_KEY'] })
  const entry = await createLambdaHandler(target.env, { logger: false })
  t.teardown(() => entry.close())
  const body = await multipartBody([{ filename: 'a.png', content: fixture('image.png') }])
  const uploaded = await entry.handler(httpApiEvent({ method: 'POST', path: '/upload', headers: { ...body.headers, accept: 'application/json' }, body: body.payload }), lambdaContext())
  t.equal(uploaded.statusCode, 201, uploaded.body)
  const image = JSON.parse(uploaded.body) as { id: string, deleteToken: string }
  const remove = (headers: Record<string, string>) => entry.handler(restApiEvent({ method: 'DELETE', path: `/images/${image.id}`, headers }), lambdaContext())
  const wrong: Array<Record<string, string>> = [{}, { 'X-Delete-Token': `${image.deleteToken}x` }, { 'X-Api-Key': `${ADMIN_KEY}x` }]
  for (const headers of wrong) {
    const res = await remove(headers)
    t.equal(res.statusCode, 403, JSON.stringify(Object.keys(headers)))
    t.match(JSON.parse(res.body), { code: 'FORBIDDEN' })
  }
  t.equal((await remove({ 'X-Delete-Token': image.deleteToken })).statusCode, 204)
  t.same((await storedState(target.clients, target.config)).items, [], 'deleted')
})
