/** Every page renders under the Content-Security-Policy the app sends: no violation in Chromium. */
import t from 'tap'
import type { AddressInfo } from 'node:net'
import { buildTestApp } from '../helpers/build-app.js'
import { startEmbeddedStack } from '../helpers/stand-ins.js'
import { fixture, multipartBody } from '../helpers/multipart.js'
import { launchBrowser } from '../helpers/browser.js'

const stack = await startEmbeddedStack()
const browser = await launchBrowser()
t.teardown(async () => { await browser.close(); await stack.close() })

t.test('the upload page, the gallery, an image page and the API docs raise no CSP violation', async t => {
  const { app } = await buildTestApp(t, stack.endpoints)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  const { payload, headers } = await multipartBody([{ filename: 'image.png', content: fixture('image.png') }])
  const stored = await fetch(`${base}/upload`, { method: 'POST', body: new Uint8Array(payload), headers: { ...headers, accept: 'application/json' } })
  const { id } = await stored.json() as { id: string }

  const page = await browser.newPage()
  t.teardown(() => page.close())
  const violations: string[] = []
  page.on('console', message => { if (/Content Security Policy/i.test(message.text())) violations.push(message.text()) })
  for (const path of ['/', '/gallery', `/gallery/${id}`, '/docs']) {
    const response = await page.goto(base + path)
    t.equal(response?.status(), 200, path)
    const styled = await page.evaluate(() => getComputedStyle(document.body).fontFamily)
    t.match(styled, /^system-ui/, `${path}: the stylesheet applied`)
  }
  t.same(violations, [], 'no CSP violation reported')
})
