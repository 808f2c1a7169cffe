// The listing reads a global secondary index, which DynamoDB keeps eventually consistent: for a
// moment after a write it may still show a deleted image and not yet show a new one. The
// stand-ins update their index at once, so the lag is injected: the index query answers what it
// answered before the writes (SDK middleware on the app's real client). Every other read is a
// consistent GetItem, so the lag must cost a user no more than a stale gallery: a new image's own
// links work at once, and a stale entry leads to a clear 404, never a 500.
import t from 'tap'
import { buildTestApp, testClients, testConfig } from '../helpers/build-app.js'
import { startEmbeddedStack } from '../helpers/stand-ins.js'
import { fixture, multipartBody } from '../helpers/multipart.js'
import { destroyAwsClients } from '../../app/plugins/aws-clients.js'

const stack = await startEmbeddedStack()
t.teardown(() => stack.close())

t.test('a lagging index shows a deleted image and hides a new one; both lead the user somewhere sane', async t => {
  const lagging = testClients(testConfig(stack.endpoints))
  t.teardown(() => destroyAwsClients(lagging))
  let snapshot: unknown
  let lag = false
  lagging.ddb.middlewareStack.add((next, context) => async (args) => {
    if (context.commandName !== 'QueryCommand') return next(args)
    if (lag && snapshot) return snapshot as Awaited<ReturnType<typeof next>>
    const result = await next(args)
    snapshot = result
    return result
  }, { step: 'initialize', name: 'laggingIndex' })
  const { app } = await buildTestApp(t, stack.endpoints, {}, { ddb: lagging.ddb })
  const upload = async (name: string) => {
    const { payload, headers } = await multipartBody([{ filename: name, content: fixture('image.png') }])
    return (await app.inject({ method: 'POST', url: '/upload', payload, headers: { ...headers, accept: 'application/json' } })).json()
  }

  const old = await upload('old.png')
  t.same((await app.inject('/images')).json().images.map((image: { id: string }) => image.id), [old.id], 'the index is current')
  lag = true
  t.equal((await app.inject({ method: 'DELETE', url: `/images/${old.id}`, headers: { 'x-delete-token': old.deleteToken } })).statusCode, 204)
  const fresh = await upload('new.png')

  const listed = (await app.inject('/images')).json().images.map((image: { id: string }) => image.id)
  t.same(listed, [old.id], 'while the index lags: the deleted image is listed, the new one is not')
  t.equal((await app.inject(`/images/${fresh.id}`)).statusCode, 200, 'the new image\'s own record is there at once (consistent read)')
  t.equal((await app.inject(`/gallery/${fresh.id}`)).statusCode, 200, 'and its page, where a browser form lands')

  const gallery = await app.inject('/gallery')
  t.equal(gallery.statusCode, 200, 'the stale gallery still renders')
  t.match(gallery.body, `/gallery/${old.id}`, 'with the deleted image in it')
  t.match((await app.inject(`/images/${old.id}`)).json(), { statusCode: 404, code: 'NOT_FOUND' }, 'its record is a 404')
  t.equal((await app.inject(`/gallery/${old.id}`)).statusCode, 404, 'its page is the not-found page')
  t.equal((await app.inject(`/images/${old.id}/thumb`)).statusCode, 404, 'its thumbnail is a 404, not a link to a deleted object')

  lag = false
  t.same((await app.inject('/images')).json().images.map((image: { id: string }) => image.id), [fresh.id], 'once the index catches up, the listing is right')
})
