import t from 'tap'
import { buildApp } from '../../app/app.js'
import { createAwsClients, destroyAwsClients } from '../../app/plugins/aws-clients.js'
import { processOriginal } from '../../app/processing/process-original.js'
import { buildTestApp } from '../helpers/build-app.js'
import { CREDENTIALS, freePort, startEmbeddedStack } from '../helpers/stand-ins.js'
import { fixture, multipartBody } from '../helpers/multipart.js'
import { storedState } from '../helpers/inspect.js'
import { attachProcessor } from '../helpers/processing.js'

const stack = await startEmbeddedStack()
t.teardown(() => stack.close())
const ADMIN_KEY = 'admin-key-for-tests-0123456789abcdef'
const { app, config, clients } = await buildTestApp(t, stack.endpoints, { ADMIN_API_KEY: ADMIN_KEY })
const processing = attachProcessor(t, stack.s3rver, { config, clients })

type TestApp = typeof app
async function uploadReady (name = 'image.png', into: TestApp = app): Promise<{ id: string, key: string, deleteToken: string }> {
  const res = await into.inject({ method: 'POST', url: '/upload', ...await multipartBody([{ filename: name, content: fixture(name) }]) })
  const image = res.json()
  const outcome = into === app ? await processing.outcomeOf(image.id) : undefined
  if (outcome && outcome.result !== 'ready') throw new Error(`${name} was not processed: ${JSON.stringify(outcome)}`)
  return image
}
const remove = (id: string, headers: Record<string, string> = {}, into: TestApp = app) => into.inject({ method: 'DELETE', url: `/images/${id}`, headers })
const ofImage = async (id: string) => {
  const { keys, items } = await storedState(clients, config)
  return { keys: keys.filter(key => key.includes(id)), items: items.filter(item => item['id'] === id) }
}

t.test('the upload token deletes the original, every variant and the item; a second delete is a 204 too', async t => {
  const image = await uploadReady()
  t.match(image.deleteToken, /^[A-Za-z0-9_-]{43}$/, '32 random bytes, base64url')
  t.equal((await ofImage(image.id)).keys.length, 3)

  const res = await remove(image.id, { 'x-delete-token': image.deleteToken })
  t.equal(res.statusCode, 204)
  t.equal(res.body, '')
  t.same(await ofImage(image.id), { keys: [], items: [] }, 'nothing left in S3 or DynamoDB')
  t.equal((await app.inject({ method: 'GET', url: `/images/${image.id}` })).statusCode, 404)
  t.notOk((await app.inject({ method: 'GET', url: '/images' })).json().images.some((i: { id: string }) => i.id === image.id))
  t.equal((await remove(image.id, { 'x-delete-token': image.deleteToken })).statusCode, 204, 'deleting again is harmless')
})

t.test('a wrong, missing or other image\'s token is refused and nothing is deleted', async t => {
  const image = await uploadReady()
  const other = await uploadReady('image.jpg')
  const before = await ofImage(image.id)
  const attempts: Array<Record<string, string>> = [
    {},
    { 'x-delete-token': '' },
    { 'x-delete-token': 'x'.repeat(43) },
    { 'x-delete-token': image.deleteToken.slice(0, -1) },
    { 'x-delete-token': other.deleteToken },
    { 'x-api-key': 'not the admin key at all, but long enough' }
  ]
  for (const headers of attempts) {
    const res = await remove(image.id, headers)
    t.equal(res.statusCode, 403, JSON.stringify(headers))
    t.match(res.json(), { code: 'FORBIDDEN', message: /nothing was deleted/ })
  }
  t.same(await ofImage(image.id), before, 'the image is untouched')
  t.equal((await app.inject({ method: 'GET', url: `/images/${image.id}` })).json().status, 'ready')
})

t.test('the admin API key deletes any image; without ADMIN_API_KEY no key works', async t => {
  const image = await uploadReady()
  t.equal((await remove(image.id, { 'x-api-key': ADMIN_KEY })).statusCode, 204)
  t.same(await ofImage(image.id), { keys: [], items: [] })

  const keyless = await buildTestApp(t, stack.endpoints)
  const res = await keyless.app.inject({ method: 'POST', url: '/upload', ...await multipartBody([{ filename: 'a.png', content: fixture('image.png') }]) })
  const { id } = res.json()
  t.equal((await remove(id, { 'x-api-key': ADMIN_KEY }, keyless.app)).statusCode, 403)
  t.equal((await remove(id, { 'x-api-key': '' }, keyless.app)).statusCode, 403)
})

t.test('an image deleted while still processing: objects and item go, the late event is skipped', async t => {
  const idle = await buildTestApp(t, stack.endpoints)
  const res = await idle.app.inject({ method: 'POST', url: '/upload', ...await multipartBody([{ filename: 'a.png', content: fixture('image.png') }]) })
  const image = res.json()
  t.equal((await remove(image.id, { 'x-delete-token': image.deleteToken }, idle.app)).statusCode, 204)
  t.same(await storedState(idle.clients, idle.config), { keys: [], items: [] })
  const silent = { debug () {}, info () {}, warn () {}, error () {} }
  const outcome = await processOriginal({ ...idle.clients, config: idle.config, log: silent }, { bucket: idle.config.bucket, key: image.key, id: image.id })
  t.match(outcome, { result: 'skipped' })
  t.same(await storedState(idle.clients, idle.config), { keys: [], items: [] }, 'no variant appeared')
})

t.test('when S3 fails mid-delete the image is hidden and the same DELETE finishes the job', async t => {
  const image = await uploadReady()
  // The same table, but S3 unreachable: the app marks the item, then cannot delete the objects.
  const broken = createAwsClients(config, { endpoints: { s3: `http://127.0.0.1:${await freePort()}`, dynamodb: stack.endpoints.dynamodb }, credentials: CREDENTIALS })
  const brokenApp = await buildApp(config, { s3: broken.s3, ddb: clients.ddb }, { logger: false })
  t.teardown(async () => { await brokenApp.close(); destroyAwsClients(broken) })

  const failed = await remove(image.id, { 'x-delete-token': image.deleteToken }, brokenApp)
  t.equal(failed.statusCode, 503)
  t.match(failed.json(), { code: 'DELETE_INCOMPLETE', message: /Send the same DELETE again/ })
  t.equal(failed.headers['retry-after'], '5')
  t.equal((await app.inject({ method: 'GET', url: `/images/${image.id}` })).statusCode, 404, 'no longer shown')
  t.notOk((await app.inject({ method: 'GET', url: '/images' })).json().images.some((i: { id: string }) => i.id === image.id), 'not listed')
  t.equal((await ofImage(image.id)).keys.length, 3, 'its objects are still there')

  t.equal((await remove(image.id, { 'x-delete-token': image.deleteToken })).statusCode, 204, 'the retry is allowed')
  t.same(await ofImage(image.id), { keys: [], items: [] })
})
