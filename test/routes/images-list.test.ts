import t from 'tap'
import { buildTestApp, testClients, testConfig } from '../helpers/build-app.js'
import { startEmbeddedStack } from '../helpers/stand-ins.js'
import { newImageId, originalKey } from '../../app/lib/keys.js'
import { encodeCursor } from '../../app/lib/cursor.js'
import { putImageRecord } from '../../app/services/metadata.js'
import { destroyAwsClients } from '../../app/plugins/aws-clients.js'
import { scanItems } from '../helpers/inspect.js'

const stack = await startEmbeddedStack()
t.teardown(() => stack.close())

// The app's DynamoDB client, watched: the listing must Query the index, never Scan.
const watched = testClients(testConfig(stack.endpoints))
t.teardown(() => destroyAwsClients(watched))
const commands: string[] = []
watched.ddb.middlewareStack.add((next, context) => async (args) => {
  commands.push(String(context.commandName))
  return next(args)
}, { step: 'initialize', name: 'recordCommands' })
const { app, config, clients } = await buildTestApp(t, stack.endpoints, {}, { ddb: watched.ddb })

const record = (id: string, uploadedAt: string) => ({
  id,
  key: originalKey(id),
  bucket: config.bucket,
  filename: `${id}.png`,
  contentType: 'image/png',
  size: 10,
  sha256: 'a'.repeat(64),
  width: 64,
  height: 48,
  uploadedAt,
  status: 'processing' as const,
  deleteToken: 'secret-token'
})

// Nine images, three of them uploaded in the same millisecond (one multi-file request can do that).
const base = Date.parse('2026-11-20T10:00:00.000Z')
const times = [0, 1000, 2000, 3000, 3000, 3000, 4000, 5000, 6000].map(offset => new Date(base + offset).toISOString())
const ids = times.map(() => newImageId())
for (const [i, id] of ids.entries()) await putImageRecord(clients.ddb, config.table, record(id, times[i]!))
// A direct upload still pending and an image whose delete broke off half way, both made by the
// service itself: neither may be listed, and it is the service, not this fixture, that keeps them out.
const granted = await app.inject({ method: 'POST', url: '/uploads', payload: { filename: 'big.png', size: 1000, type: 'image/png' } })
if (granted.statusCode !== 201) throw new Error(`grant failed: ${granted.body}`)
const halfDeleted = record(newImageId(), new Date(Date.now() + 60_000).toISOString())
await putImageRecord(clients.ddb, config.table, halfDeleted)
const failingS3 = testClients(config).s3
t.teardown(() => failingS3.destroy())
failingS3.middlewareStack.add((next, context) => async (args) => {
  if (context.commandName === 'DeleteObjectCommand') throw Object.assign(new Error('S3 unavailable'), { name: 'ServiceUnavailable', $fault: 'server' })
  return next(args)
}, { step: 'initialize', name: 'failDeletes' })
const { app: failingApp } = await buildTestApp(t, stack.endpoints, { BUCKET_NAME: config.bucket, TABLE_NAME: config.table }, { s3: failingS3 })
const brokenOff = await failingApp.inject({ method: 'DELETE', url: `/images/${halfDeleted.id}`, headers: { 'x-delete-token': halfDeleted.deleteToken } })
if (brokenOff.statusCode !== 503) throw new Error(`the delete should have broken off: ${brokenOff.body}`)
const items = await scanItems(clients.ddb, config.table)
t.match(items.find(item => item['id'] === granted.json().id), { status: 'pending' }, 'the grant left a pending item')
t.match(items.find(item => item['id'] === halfDeleted.id), { status: 'deleting' }, 'the broken-off delete left a deleting item, newer than every listed image')

t.test('an empty table lists nothing and has no next page', async t => {
  const { app } = await buildTestApp(t, stack.endpoints)
  const res = await app.inject({ method: 'GET', url: '/images' })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { images: [] })
})

t.test('pages of 4 walk every image once, newest first, and the last page has no cursor', async t => {
  commands.length = 0
  const seen: Array<{ id: string, uploadedAt: string }> = []
  const pages: number[] = []
  let cursor: string | undefined
  do {
    const res = await app.inject({ method: 'GET', url: '/images', query: { limit: '4', ...(cursor && { cursor }) } })
    t.equal(res.statusCode, 200)
    const page = res.json()
    pages.push(page.images.length)
    seen.push(...page.images)
    cursor = page.nextCursor
  } while (cursor)
  t.same(pages, [4, 4, 1], 'three pages')
  t.same(seen.map(image => image.id).sort(), [...ids].sort(), 'every image exactly once: no duplicate, no gap')
  const order = seen.map(image => image.uploadedAt)
  t.same(order, [...order].sort().reverse(), 'newest first')
  t.same(commands, ['QueryCommand', 'QueryCommand', 'QueryCommand'], 'one Query per page, no Scan')
})

t.test('listed records carry no secret and no internal field', async t => {
  const { images } = (await app.inject({ method: 'GET', url: '/images?limit=1' })).json()
  t.match(images[0], { id: ids.at(-1), status: 'processing', width: 64 })
  for (const field of ['deleteTokenHash', 'deleteToken', 'kind']) t.notOk(field in images[0], `no ${field}`)
})

t.test('the default page is 20; an exact last page has no cursor', async t => {
  const all = (await app.inject({ method: 'GET', url: '/images' })).json()
  t.equal(all.images.length, 9)
  t.notOk('nextCursor' in all)
  const exact = (await app.inject({ method: 'GET', url: '/images?limit=9' })).json()
  t.equal(exact.images.length, 9)
  t.notOk('nextCursor' in exact, 'no cursor to an empty page')
})

t.test('limit outside 1..100 is a 400', async t => {
  for (const limit of ['0', '101', 'ten', '-1']) {
    const res = await app.inject({ method: 'GET', url: '/images', query: { limit } })
    t.equal(res.statusCode, 400, `limit=${limit}`)
    t.equal(res.json().code, 'VALIDATION_FAILED')
  }
})

t.test('a cursor this service did not issue is a 400 INVALID_CURSOR, not a 500', async t => {
  const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url')
  const valid = { id: ids[0]!, kind: 'image', uploadedAt: times[0]! }
  const bad = [
    'not base64!',
    b64('not json'),
    b64([1, 2]),
    b64(null),
    b64({}),
    b64({ ...valid, kind: 'other' }),
    b64({ ...valid, id: 'x' }),
    b64({ ...valid, uploadedAt: 'yesterday' }),
    b64({ ...valid, uploadedAt: 7 }),
    b64({ ...valid, extra: { S: 'injected' } }),
    b64({ id: { S: ids[0] }, kind: { S: 'image' }, uploadedAt: { S: times[0] } })
  ]
  for (const cursor of bad) {
    const res = await app.inject({ method: 'GET', url: '/images', query: { cursor } })
    t.equal(res.statusCode, 400, cursor)
    t.match(res.json(), { code: 'INVALID_CURSOR', message: /nextCursor/ })
  }
  const tooLong = await app.inject({ method: 'GET', url: '/images', query: { cursor: 'a'.repeat(2000) } })
  t.equal(tooLong.statusCode, 400)
  const ok = await app.inject({ method: 'GET', url: '/images', query: { cursor: encodeCursor(valid) } })
  t.equal(ok.statusCode, 200, 'a well-formed cursor works even for a position it names itself')
  t.same(ok.json().images, [], 'nothing is older than the oldest image')
})
