/** The upload page in a real browser (Debian chromium driven by playwright-core). */
import t, { type Test } from 'tap'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { buildTestApp } from '../helpers/build-app.js'
import { startEmbeddedStack } from '../helpers/stand-ins.js'
import { FIXTURES, fixture, pngAnnouncing } from '../helpers/multipart.js'
import { readObject, sha256, storedState } from '../helpers/inspect.js'
import { ARTIFACTS, launchBrowser } from '../helpers/browser.js'

const stack = await startEmbeddedStack()
const browser = await launchBrowser()
t.teardown(async () => { await browser.close(); await stack.close() })

async function serve (t: Test) {
  const built = await buildTestApp(t, stack.endpoints)
  await built.app.listen({ port: 0, host: '127.0.0.1' })
  return { ...built, base: `http://127.0.0.1:${(built.app.server.address() as AddressInfo).port}` }
}

t.test('without JavaScript the form posts and lands on the image page', async t => {
  const { base, clients, config } = await serve(t)
  const context = await browser.newContext({ javaScriptEnabled: false })
  t.teardown(() => context.close())
  const page = await context.newPage()
  await page.goto(base + '/')
  await page.screenshot({ path: join(ARTIFACTS, 'upload-page-no-js.png'), fullPage: true })
  await page.setInputFiles('#file-input', join(FIXTURES, 'image.png'))
  await Promise.all([page.waitForURL(/\/gallery\/[0-9a-f-]{36}#token=[A-Za-z0-9_-]{43}$/), page.click('button[type=submit]')])
  t.match(await page.textContent('h1'), 'image.png')
  await page.screenshot({ path: join(ARTIFACTS, 'image-page.png'), fullPage: true })
  const { keys, items } = await storedState(clients, config)
  t.equal(keys.length, 1)
  t.equal(items.length, 1)
})

t.test('with JavaScript: several files, progress to 100%, a refused file says why', async t => {
  const { base, clients, config } = await serve(t)
  const page = await browser.newPage()
  t.teardown(() => page.close())
  await page.goto(base + '/')
  await page.setInputFiles('#file-input', [
    { name: 'image.jpg', mimeType: 'image/jpeg', buffer: fixture('image.jpg') },
    { name: 'image.webp', mimeType: 'image/webp', buffer: fixture('image.webp') },
    { name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('plain text pretending to be a PNG') }
  ])
  await page.click('button[type=submit]')
  await page.waitForFunction(() => document.querySelectorAll('.upload.done, .upload.failed').length === 3)
  await page.screenshot({ path: join(ARTIFACTS, 'upload-page-js.png'), fullPage: true })

  const rows = await page.$$eval('.upload', rows => rows.map(row => ({
    name: row.querySelector('.name')!.textContent,
    state: row.classList.contains('done') ? 'done' : 'failed',
    progress: (row.querySelector('progress') as HTMLProgressElement).value,
    status: row.querySelector('.status')!.textContent
  })))
  const byName = Object.fromEntries(rows.map(row => [row.name, row]))
  t.match(byName['image.jpg'], { state: 'done', progress: 100, status: 'Stored: view' })
  t.match(byName['image.webp'], { state: 'done', progress: 100 })
  t.match(byName['notes.png'], { state: 'failed', status: /not an allowed image: detected application\/octet-stream/ })
  t.equal((await storedState(clients, config)).items.length, 2)
})

t.test('with JavaScript: many files, large refused ones among them, each ends with a message or a link', async t => {
  const { base, clients, config } = await serve(t)
  const page = await browser.newPage()
  t.teardown(() => page.close())
  await page.goto(base + '/')
  // Refused files whose bodies the server stops reading: the browser reuses their keep-alive
  // connections for the files queued behind them.
  const noise = (n: number) => ({ name: `noise-${n}.png`, mimeType: 'image/png', buffer: randomBytes(300 * 1024) })
  const bomb = (n: number) => ({ name: `bomb-${n}.png`, mimeType: 'image/png', buffer: pngAnnouncing(30_000, 1024 * 1024) })
  const good = (n: number) => ({ name: `good-${n}.png`, mimeType: 'image/png', buffer: fixture('image.png') })
  const files = [noise(1), bomb(1), good(1), noise(2), noise(3), good(2), bomb(2), noise(4), good(3), good(4), noise(5), good(5)]
  await page.setInputFiles('#file-input', files)
  await page.click('button[type=submit]')
  await page.waitForFunction(count => document.querySelectorAll('.upload.done, .upload.failed').length === count, files.length, { timeout: 20_000 })
  await page.screenshot({ path: join(ARTIFACTS, 'upload-page-refusals.png'), fullPage: true })

  const rows = await page.$$eval('.upload', rows => rows.map(row => ({
    name: row.querySelector('.name')!.textContent!,
    state: row.classList.contains('done') ? 'done' : 'failed',
    status: row.querySelector('.status')!.textContent!
  })))
  for (const row of rows) {
    if (row.name.startsWith('good')) t.match(row, { state: 'done', status: 'Stored: view' }, row.name)
    if (row.name.startsWith('noise')) t.match(row, { state: 'failed', status: /not an allowed image/ }, row.name)
    if (row.name.startsWith('bomb')) t.match(row, { state: 'failed', status: /30000x30000 pixels, over the limit/ }, row.name)
  }
  t.equal(rows.length, files.length)
  t.equal((await storedState(clients, config)).items.length, files.filter(file => file.name.startsWith('good')).length)
})

t.test('with JavaScript: a file dropped on the drop zone is uploaded', async t => {
  const { base, clients, config } = await serve(t)
  const page = await browser.newPage()
  t.teardown(() => page.close())
  await page.goto(base + '/')
  const bytes = Array.from(fixture('image.gif'))
  const dataTransfer = await page.evaluateHandle((bytes) => {
    const transfer = new DataTransfer()
    transfer.items.add(new File([new Uint8Array(bytes)], 'dropped.gif', { type: 'image/gif' }))
    return transfer
  }, bytes)
  await page.dispatchEvent('#drop-zone', 'drop', { dataTransfer })
  await page.waitForSelector('.upload.done')
  t.equal(await page.textContent('.upload .name'), 'dropped.gif')
  const { items } = await storedState(clients, config)
  t.match(items, [{ filename: 'dropped.gif', contentType: 'image/gif' }])
})

t.test('with JavaScript: a file over the service limit goes straight to S3', async t => {
  const { app, config, clients } = await buildTestApp(t, stack.endpoints, { MAX_UPLOAD_BYTES: '1000' })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  const page = await browser.newPage()
  t.teardown(() => page.close())
  await page.goto(base + '/')
  await page.setInputFiles('#file-input', { name: 'large.png', mimeType: 'image/png', buffer: fixture('image.png') })
  await page.click('button[type=submit]')
  await page.waitForSelector('.upload.done, .upload.failed')
  t.equal(await page.getAttribute('.upload', 'class'), 'upload done', await page.textContent('.upload .status') ?? '')
  t.equal(await page.$eval('.upload progress', el => (el as HTMLProgressElement).value), 100)
  const { keys, items } = await storedState(clients, config)
  t.equal(keys.length, 1, 'the object landed in S3')
  t.match(items, [{ filename: 'large.png', status: /pending|processing|ready/ }])
  t.match(await page.evaluate(id => localStorage.getItem(`delete-token:${id}`), String(items[0]!['id'])), /^[A-Za-z0-9_-]{43}$/, 'the grant\'s delete token is kept like an upload\'s')
  t.equal(sha256((await readObject(clients.s3, config.bucket, keys[0]!)).bytes), sha256(fixture('image.png')))
})
