/** The gallery and image pages in a real browser (Debian chromium driven by playwright-core). */
import t, { type Test } from 'tap'
import { EventEmitter } from 'node:events'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import type { Page } from 'playwright-core'
import { buildTestApp } from '../helpers/build-app.js'
import { startEmbeddedStack } from '../helpers/stand-ins.js'
import { FIXTURES, fixture, multipartBody } from '../helpers/multipart.js'
import { storedState } from '../helpers/inspect.js'
import { attachProcessor } from '../helpers/processing.js'
import { ARTIFACTS, launchBrowser } from '../helpers/browser.js'
import type { S3Event } from '../../app/processing/s3-event.js'

const stack = await startEmbeddedStack()
const browser = await launchBrowser()
t.teardown(async () => { await browser.close(); await stack.close() })

/** The app listening, with the processor fed by `events` (s3rver's own unless a test holds them back). */
async function serve (t: Test, events: EventEmitter = stack.s3rver) {
  const built = await buildTestApp(t, stack.endpoints)
  const processing = attachProcessor(t, events, { config: built.config, clients: built.clients })
  await built.app.listen({ port: 0, host: '127.0.0.1' })
  return { ...built, processing, base: `http://127.0.0.1:${(built.app.server.address() as AddressInfo).port}` }
}

const imagesLoaded = (page: Page) => page.waitForFunction(() =>
  document.images.length > 0 && Array.from(document.images).every(image => image.complete && image.naturalWidth > 0))

const storedToken = (page: Page, id: string) => page.evaluate(id => localStorage.getItem(`delete-token:${id}`), id)

t.test('with JavaScript: upload, thumbnails once processed, pages, the image page, delete with the stored token', async t => {
  const { base, clients, config, processing } = await serve(t)
  const page = await browser.newPage()
  t.teardown(() => page.close())
  page.on('dialog', dialog => dialog.accept())
  await page.goto(base + '/')
  await page.setInputFiles('#file-input', [join(FIXTURES, 'image.png'), join(FIXTURES, 'image.jpg')])
  await page.click('button[type=submit]')
  await page.waitForFunction(() => document.querySelectorAll('.upload.done').length === 2)
  const ids = await page.$$eval('.upload.done .status a', links => links.map(link => link.getAttribute('href')!.split('/').pop()!))
  for (const id of ids) {
    t.match(await processing.outcomeOf(id), { result: 'ready' }, `image ${id} processed`)
    t.match(await storedToken(page, id), /^[A-Za-z0-9_-]{43}$/, 'the upload kept the delete token')
  }

  await page.goto(base + '/gallery')
  await imagesLoaded(page)
  t.equal(await page.locator('.card img').count(), 2, 'two thumbnails, loaded')
  t.same((await page.$$eval('.card img', images => images.map(image => (image as HTMLImageElement).alt))).sort(), ['image.jpg', 'image.png'])
  await page.screenshot({ path: join(ARTIFACTS, 'gallery.png'), fullPage: true })

  // One per page: newest first, then the older one behind rel=next, and no third page.
  const { items } = await storedState(clients, config)
  const uploadedAt = new Map(items.map(item => [`/gallery/${item['id']}`, String(item['uploadedAt'])]))
  await page.goto(base + '/gallery?limit=1')
  const firstPage = await page.$$eval('.card-link', links => links.map(link => link.getAttribute('href')!))
  await page.click('a[rel=next]')
  await imagesLoaded(page)
  const secondPage = await page.$$eval('.card-link', links => links.map(link => link.getAttribute('href')!))
  t.same([...firstPage, ...secondPage].sort(), ids.map(id => `/gallery/${id}`).sort(), 'each image on one page')
  t.ok(uploadedAt.get(firstPage[0]!)! >= uploadedAt.get(secondPage[0]!)!, 'newest first')
  t.equal(await page.locator('a[rel=next]').count(), 0, 'the last page has no next link')

  // By keyboard: the card's link opens the image page.
  await page.focus('.card-link')
  await Promise.all([page.waitForURL(/\/gallery\/[0-9a-f-]{36}$/), page.keyboard.press('Enter')])
  const id = page.url().split('/').pop()!
  await imagesLoaded(page)
  t.ok(await page.$eval('.display img', image => (image as HTMLImageElement).naturalWidth > 0), 'the display version shows')
  const downloads = await page.$$eval('.downloads a', links => links.map(link => [link.textContent, link.getAttribute('href')]))
  t.same(downloads, [['Original', `/images/${id}/original?download=true`], ['Thumbnail', `/images/${id}/thumb?download=true`], ['Display size', `/images/${id}/display?download=true`]])
  t.match(await page.textContent('.downloads'), /WEBP, 64×48/)
  const display = await page.request.get(`${base}/images/${id}/display`)
  t.equal(display.headers()['content-type'], 'image/webp', 'the link leads to the WebP file')
  t.ok(await page.isHidden('#delete-token'), 'no token to paste: this browser holds it')
  t.ok(await page.isVisible('#delete-stored'))
  await page.screenshot({ path: join(ARTIFACTS, 'image-page-ready.png'), fullPage: true })

  await Promise.all([page.waitForURL(/\/gallery\?deleted=1$/), page.click('#delete-form button')])
  t.match(await page.textContent('.notice'), 'The image was deleted.')
  t.equal(await storedToken(page, id), null, 'the spent token is forgotten')
  const other = ids.find(other => other !== id)!
  await page.goto(`${base}/gallery/${other}`)
  await Promise.all([page.waitForURL(/\/gallery\?deleted=1$/), page.click('#delete-form button')])
  t.same(await storedState(clients, config), { keys: [], items: [] }, 'originals, variants and records are gone')
  t.equal(await page.locator('.card').count(), 0)
  t.match(await page.textContent('.empty'), 'No images yet.')
})

t.test('with JavaScript: a processing image says so and shows itself once ready', async t => {
  // s3rver's events are held back, so the image stays processing until this test lets them through.
  const held = new EventEmitter()
  const recorded: S3Event[] = []
  const record = (event: S3Event) => { recorded.push(event) }
  stack.s3rver.on('event', record)
  t.teardown(() => { stack.s3rver.off('event', record) })
  const { app, base, processing } = await serve(t, held)
  const upload = await app.inject({ method: 'POST', url: '/upload', ...await multipartBody([{ filename: 'slow.png', content: fixture('image.png') }]) })
  const { id } = upload.json() as { id: string }

  const page = await browser.newPage()
  t.teardown(() => page.close())
  await page.goto(`${base}/gallery`)
  t.equal(await page.textContent('.card .placeholder'), 'Processing…')
  await page.goto(`${base}/gallery/${id}`)
  t.match(await page.textContent('#image-status'), 'Processing…')
  t.equal(await page.locator('.downloads a').count(), 1, 'only the original so far')

  for (const event of recorded.filter(event => event.Records.some(r => r.s3.object.key === `originals/${id}`))) held.emit('event', event)
  t.match(await processing.outcomeOf(id), { result: 'ready' })
  await page.waitForSelector('.display img', { timeout: 15_000 })
  await imagesLoaded(page)
  t.equal(await page.locator('.downloads a').count(), 3, 'the page reloaded by itself with every version')
})

t.test('without JavaScript: the token from the form upload deletes; a wrong one pasted deletes nothing', async t => {
  const { base, clients, config, processing } = await serve(t)
  const context = await browser.newContext({ javaScriptEnabled: false })
  t.teardown(() => context.close())
  const page = await context.newPage()
  await page.goto(base + '/')
  await page.setInputFiles('#file-input', join(FIXTURES, 'image.gif'))
  await Promise.all([page.waitForURL(/\/gallery\/[0-9a-f-]{36}#token=[A-Za-z0-9_-]{43}$/), page.click('button[type=submit]')])
  const token = page.url().split('#token=')[1]!
  t.match(await processing.outcomeOf(page.url().split('/').pop()!.split('#')[0]!), { result: 'ready' })
  const before = await storedState(clients, config)

  t.ok(await page.isVisible('#delete-token'), 'the token field shows without JavaScript')
  await page.fill('#delete-token', 'not-the-token')
  const [refused] = await Promise.all([page.waitForResponse(response => response.request().method() === 'POST'), page.click('#delete-form button')])
  t.equal(refused.status(), 403)
  t.match(await page.textContent('[role=alert]'), 'That delete token does not match this image. Nothing was deleted.')
  t.same(await storedState(clients, config), before, 'nothing was deleted')

  await page.fill('#delete-token', token)
  await Promise.all([page.waitForURL(/\/gallery\?deleted=1$/), page.click('#delete-form button')])
  t.match(await page.textContent('.notice'), 'The image was deleted.')
  t.same(await storedState(clients, config), { keys: [], items: [] })
})

t.test('with JavaScript: a token in the address is kept and stripped; a wrong one is refused and forgotten', async t => {
  const { app, base, clients, config } = await serve(t)
  const upload = await app.inject({ method: 'POST', url: '/upload', ...await multipartBody([{ filename: 'a.png', content: fixture('image.png') }]) })
  const { id, deleteToken } = upload.json() as { id: string, deleteToken: string }
  const page = await browser.newPage()
  t.teardown(() => page.close())
  page.on('dialog', dialog => dialog.accept())

  await page.goto(`${base}/gallery/${id}#token=wrong-token`)
  t.equal(page.url(), `${base}/gallery/${id}`, 'the token left the address')
  t.equal(await storedToken(page, id), 'wrong-token')
  await page.click('#delete-form button')
  await page.waitForSelector('#delete-message:not([hidden])')
  t.equal(await page.textContent('#delete-message'), 'That delete token does not match this image. Nothing was deleted.')
  t.equal(await storedToken(page, id), null, 'the wrong token is forgotten')
  t.ok(await page.isVisible('#delete-token'), 'and the field to paste one shows')
  t.equal((await storedState(clients, config)).items.length, 1, 'nothing was deleted')

  // The same page with only a new fragment: no reload, the script takes the token all the same.
  await page.goto(`${base}/gallery/${id}#token=${deleteToken}`)
  await page.waitForSelector('#delete-token', { state: 'hidden' })
  t.equal(page.url(), `${base}/gallery/${id}`)
  await Promise.all([page.waitForURL(/\/gallery\?deleted=1$/), page.click('#delete-form button')])
  t.same(await storedState(clients, config), { keys: [], items: [] })
})

t.test('with JavaScript: the tokens of a several-file form post are kept from the gallery address', async t => {
  const { app, base } = await serve(t)
  const body = await multipartBody([{ filename: 'a.png', content: fixture('image.png') }, { filename: 'b.gif', content: fixture('image.gif') }])
  const res = await app.inject({ method: 'POST', url: '/upload', payload: body.payload, headers: { ...body.headers, accept: 'text/html' } })
  const location = String(res.headers.location)
  const pairs = location.split('#tokens=')[1]!.split(',').map(pair => pair.split(':') as [string, string])
  const page = await browser.newPage()
  t.teardown(() => page.close())
  await page.goto(base + location)
  t.equal(page.url(), `${base}/gallery`, 'the tokens left the address')
  for (const [id, token] of pairs) t.equal(await storedToken(page, id), token)
  await page.goto(`${base}/gallery/${pairs[0]![0]}`)
  t.ok(await page.isHidden('#delete-token'), 'the image page deletes with the kept token')
})
