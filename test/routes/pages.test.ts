/** The HTML pages through inject: escaping, pagination, statuses, errors and the no-JS delete form. */
import t from 'tap'
import { Writable } from 'node:stream'
import { buildApp } from '../../app/app.js'
import { newImageId, originalKey } from '../../app/lib/keys.js'
import { putImageRecord } from '../../app/services/metadata.js'
import { buildTestApp, testClients, testConfig } from '../helpers/build-app.js'
import { storedState } from '../helpers/inspect.js'
import { fixture, multipartBody } from '../helpers/multipart.js'
import { startEmbeddedStack } from '../helpers/stand-ins.js'
import { ensureStorage } from '../../app/plugins/provision.js'
import { destroyAwsClients } from '../../app/plugins/aws-clients.js'

const stack = await startEmbeddedStack()
t.teardown(() => stack.close())

const form = (fields: Record<string, string>) => ({
  payload: new URLSearchParams(fields).toString(),
  headers: { 'content-type': 'application/x-www-form-urlencoded' }
})

interface Seed { uploadedAt: string, status?: 'processing' | 'failed', failureReason?: string, filename?: string }

/** An image record written straight to the table (its object is not needed by these pages). */
async function seed (config: { table: string, bucket: string }, ddb: Parameters<typeof putImageRecord>[0], fields: Seed): Promise<string> {
  const id = newImageId()
  const { status = 'processing', filename = `${id}.png`, ...rest } = fields
  await putImageRecord(ddb, config.table, {
    ...rest,
    id,
    key: originalKey(id),
    bucket: config.bucket,
    filename,
    contentType: 'image/png',
    size: 1234,
    sha256: 'a'.repeat(64),
    width: 64,
    height: 48,
    status,
    deleteToken: 'unused-token'
  })
  return id
}

const cardIds = (body: string) => [...body.matchAll(/class="card-link" href="\/gallery\/([0-9a-f-]{36})"/g)].map(m => m[1])
const nextLink = (body: string) => /<a href="([^"]+)" rel="next">Older images<\/a>/.exec(body)?.[1]?.replaceAll('&amp;', '&')

t.test('an empty gallery says so, in the layout, with no next page', async t => {
  const { app } = await buildTestApp(t, stack.endpoints)
  const res = await app.inject('/gallery')
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^text\/html; charset=utf-8/)
  t.match(res.body, 'No images yet.')
  t.match(res.body, '<a href="/gallery" aria-current="page">Gallery</a>')
  t.notMatch(res.body, 'rel="next"')
  t.notMatch(res.body, 'class="pager"', 'no empty navigation landmark')
  t.notMatch(res.body, /<script(?! type="module" src="\/assets\/)/, 'no inline script')
  t.notMatch(res.body, /style=|<style/, 'no inline style')
})

t.test('the gallery pages newest first with rel=next links until the last page', async t => {
  const { app, config, clients } = await buildTestApp(t, stack.endpoints)
  const base = Date.parse('2026-11-20T10:00:00.000Z')
  const ids: string[] = []
  for (let i = 0; i < 5; i++) ids.push(await seed(config, clients.ddb, { uploadedAt: new Date(base + i * 1000).toISOString() }))
  const seen: string[] = []
  let url: string | undefined = '/gallery?limit=2'
  const sizes: number[] = []
  while (url) {
    const res = await app.inject(url)
    t.equal(res.statusCode, 200, url)
    const page = cardIds(res.body)
    sizes.push(page.length)
    seen.push(...page as string[])
    url = nextLink(res.body)
    if (url) t.match(url, /^\/gallery\?limit=2&cursor=[A-Za-z0-9_-]+$/)
    if (sizes.length > 1) t.match(res.body, '<a href="/gallery">Newest images</a>')
  }
  t.same(sizes, [2, 2, 1])
  t.same(seen, [...ids].reverse(), 'every image once, newest first')
})

t.test('cards show the status until a thumbnail exists, and escape hostile names', async t => {
  const { app, config, clients } = await buildTestApp(t, stack.endpoints)
  const now = Date.now()
  await seed(config, clients.ddb, { uploadedAt: new Date(now).toISOString() })
  await seed(config, clients.ddb, { uploadedAt: new Date(now + 1).toISOString(), status: 'failed', failureReason: 'corrupt <data>' })
  const hostile = await app.inject({ method: 'POST', url: '/upload', ...await multipartBody([{ filename: "'><script>alert(1).png", content: fixture('image.png') }]) })
  t.equal(hostile.statusCode, 201)
  const res = await app.inject('/gallery')
  t.match(res.body, 'Processing…')
  t.match(res.body, 'Failed: corrupt &lt;data&gt;')
  t.match(res.body, '&#39;&gt;&lt;script&gt;alert(1).png', 'FormData would percent-encode a double quote')
  t.notMatch(res.body, '<script>alert', 'no live tag')
  t.match(res.body, /PNG · 64×48/)
  t.match(res.body, /<time class="meta" datetime="[^"]+Z">\d{4}-\d\d-\d\d \d\d:\d\d UTC<\/time>/)
})

t.test('a cursor the service did not issue is the 400 INVALID_CURSOR error', async t => {
  const { app } = await buildTestApp(t, stack.endpoints)
  const res = await app.inject('/gallery?cursor=bm90LWEtY3Vyc29y')
  t.equal(res.statusCode, 400)
  t.equal(res.json().code, 'INVALID_CURSOR')
})

t.test('an unknown image is an HTML 404 page; a malformed id is a 400', async t => {
  const { app } = await buildTestApp(t, stack.endpoints)
  const res = await app.inject(`/gallery/${newImageId()}`)
  t.equal(res.statusCode, 404)
  t.match(res.headers['content-type'], /^text\/html/)
  t.match(res.body, '<h1>Image not found</h1>')
  t.equal((await app.inject('/gallery/not-an-id')).statusCode, 400)
})

t.test('a processing image shows its status, polls, and offers the original only', async t => {
  const { app, config, clients } = await buildTestApp(t, stack.endpoints)
  const id = await seed(config, clients.ddb, { uploadedAt: new Date().toISOString(), filename: 'a "quoted" <b>.png' })
  const res = await app.inject(`/gallery/${id}`)
  t.equal(res.statusCode, 200)
  t.match(res.body, 'data-status="processing"')
  t.match(res.body, /role="status">Processing…/)
  t.match(res.body, `<a href="/images/${id}/original?download=true">Original</a>`)
  t.notMatch(res.body, `/images/${id}/display`)
  t.match(res.body, '<h1>a &quot;quoted&quot; &lt;b&gt;.png</h1>')
  t.match(res.body, /<script type="module" src="\/assets\/image-page\.js\?v=[0-9a-f]{12}"><\/script>/)
  t.match(res.body, `<form id="delete-form" method="post" action="/gallery/${id}/delete">`)
})

t.test('the no-JS delete form: a wrong or missing token deletes nothing; the right one deletes everything', async t => {
  const { app, config, clients } = await buildTestApp(t, stack.endpoints)
  const res = await app.inject({ method: 'POST', url: '/upload', ...await multipartBody([{ filename: 'a.png', content: fixture('image.png') }]) })
  const { id, deleteToken } = res.json() as { id: string, deleteToken: string }
  const before = await storedState(clients, config)

  const wrong = await app.inject({ method: 'POST', url: `/gallery/${id}/delete`, ...form({ token: 'not-the-token' }) })
  t.equal(wrong.statusCode, 403)
  t.match(wrong.headers['content-type'], /^text\/html/)
  t.match(wrong.body, /role="alert">That delete token does not match this image\. Nothing was deleted\./)
  t.notMatch(wrong.body, 'not-the-token', 'the token sent is not echoed')
  const missing = await app.inject({ method: 'POST', url: `/gallery/${id}/delete`, ...form({}) })
  t.equal(missing.statusCode, 403)
  t.match(missing.body, 'Paste the delete token')
  t.same(await storedState(clients, config), before, 'nothing was deleted')

  const right = await app.inject({ method: 'POST', url: `/gallery/${id}/delete`, ...form({ token: deleteToken }) })
  t.equal(right.statusCode, 303)
  t.equal(right.headers.location, '/gallery?deleted=1')
  t.same(await storedState(clients, config), { keys: [], items: [] })
  t.match((await app.inject('/gallery?deleted=1')).body, 'The image was deleted.')
  t.equal((await app.inject({ method: 'POST', url: `/gallery/${id}/delete`, ...form({ token: deleteToken }) })).statusCode, 303, 'already gone: same answer')
})

t.test('a form post of several files hands over every delete token in the gallery address\'s fragment', async t => {
  const { app, config, clients } = await buildTestApp(t, stack.endpoints)
  const body = await multipartBody([{ filename: 'a.png', content: fixture('image.png') }, { filename: 'b.gif', content: fixture('image.gif') }])
  const res = await app.inject({ method: 'POST', url: '/upload', payload: body.payload, headers: { ...body.headers, accept: 'text/html' } })
  t.equal(res.statusCode, 303)
  const match = /^\/gallery#tokens=([0-9a-f-]{36}:[A-Za-z0-9_-]{43}),([0-9a-f-]{36}:[A-Za-z0-9_-]{43})$/.exec(String(res.headers.location))
  t.ok(match, String(res.headers.location))
  for (const pair of match!.slice(1)) {
    const [id, token] = pair!.split(':')
    t.equal((await app.inject({ method: 'DELETE', url: `/images/${id}`, headers: { 'x-delete-token': token! } })).statusCode, 204)
  }
  t.same(await storedState(clients, config), { keys: [], items: [] }, 'each token deleted its image')
})

t.test('the form body is small and never logged', async t => {
  const config = testConfig(stack.endpoints, { LOG_LEVEL: 'trace' })
  const clients = testClients(config)
  await ensureStorage(clients.s3, clients.ddb, config)
  const lines: string[] = []
  const stream = new Writable({ write (chunk, _encoding, done) { lines.push(String(chunk)); done() } })
  const app = await buildApp(config, clients, { logger: { level: 'trace', stream } })
  t.teardown(async () => { await app.close(); destroyAwsClients(clients) })
  const id = await seed(config, clients.ddb, { uploadedAt: new Date().toISOString() })
  const token = `secret-${'x'.repeat(40)}`
  t.equal((await app.inject({ method: 'POST', url: `/gallery/${id}/delete`, ...form({ token }) })).statusCode, 403)
  t.equal((await app.inject({ method: 'POST', url: `/gallery/${id}/delete`, ...form({ token: 'y'.repeat(5000) }) })).statusCode, 413)
  t.ok(lines.some(line => line.includes('image delete refused')), 'the refusal is logged')
  t.notOk(lines.some(line => line.includes(token)), 'the token is not')
})
