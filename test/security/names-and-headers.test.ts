/**
 * Attacks through names and headers: path traversal, CR/LF, NUL and unicode tricks in file
 * names and field names, oversized request headers. Names are sanitized labels (keys never
 * come from them) or the request is refused; no response header ever carries CR, LF or
 * attacker text: on the 201, on the 303 redirect of a form post, on the wire, on the 302 to the
 * stored original, nor on S3's answer to that presigned URL (its Content-Disposition).
 */
import t, { type Test } from 'tap'
import type { AddressInfo } from 'node:net'
import type { LightMyRequestResponse } from 'fastify'
import { buildTestApp } from '../helpers/build-app.js'
import { startEmbeddedStack } from '../helpers/stand-ins.js'
import { fixture, rawMultipart } from '../helpers/multipart.js'
import { rawRequest, requestHead } from '../helpers/raw-http.js'

const stack = await startEmbeddedStack()
t.teardown(() => stack.close())
const { app } = await buildTestApp(t, stack.endpoints, { RATE_LIMIT_MAX: '1000' })
await app.listen({ port: 0, host: '127.0.0.1' })
const { port } = app.server.address() as AddressInfo

const boundary = 'names-boundary'
const png = fixture('image.png')
const MARKER = /injected|set-cookie: evil|evil=1/i

function post (dispositionParams: string, accept = 'application/json') {
  const payload = rawMultipart(boundary, [{ headers: [`Content-Disposition: form-data; ${dispositionParams}`, 'Content-Type: image/png'], body: png }])
  return app.inject({ method: 'POST', url: '/upload', payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, accept } })
}

function assertCleanHeaders (t: Test, res: LightMyRequestResponse): void {
  for (const [name, value] of Object.entries(res.headers)) {
    const line = `${name}: ${Array.isArray(value) ? value.join(', ') : String(value)}`
    t.notOk(/[\r\n]/.test(line) || MARKER.test(line), `header ${name} is clean`)
  }
}

/** What a stored label may never contain: separators, controls, bidi overrides, zero-width characters. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNSAFE = /[/\\\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/

const names: Array<{ name: string, params: string, label: string | RegExp }> = [
  { name: 'path traversal (POSIX)', params: 'name="file"; filename="../../etc/passwd.png"', label: 'passwd.png' },
  { name: 'path traversal (Windows)', params: 'name="file"; filename="..\\..\\Windows\\win.ini.png"', label: 'win.ini.png' },
  { name: 'an absolute path', params: 'name="file"; filename="/var/www/html/shell.php.png"', label: 'shell.php.png' },
  { name: 'a NUL byte before a second extension', params: "name=\"file\"; filename*=UTF-8''photo.png%00.exe", label: 'photo.png.exe' },
  { name: 'a right-to-left override disguising the extension', params: "name=\"file\"; filename*=UTF-8''photo%E2%80%AEgnp.exe", label: 'photognp.exe' },
  { name: 'zero-width characters', params: "name=\"file\"; filename*=UTF-8''ph%E2%80%8Boto%EF%BB%BF.png", label: 'photo.png' },
  { name: 'decomposed unicode', params: "name=\"file\"; filename*=UTF-8''e%CC%81te%CC%81.png", label: '\u00e9t\u00e9.png' },
  { name: 'fullwidth dots and slashes', params: "name=\"file\"; filename*=UTF-8''%EF%BC%8E%EF%BC%8E%EF%BC%8Fetc.png", label: '\uff0e\uff0e\uff0fetc.png' },
  { name: 'a 1000-character name', params: `name="file"; filename="${'a'.repeat(1000)}.png"`, label: /^a{251}\.png$/ },
  { name: 'only dots and spaces', params: 'name="file"; filename=" .. "', label: 'unnamed' }
]

for (const c of names) {
  t.test(`file name with ${c.name}: stored under a random key with a safe label`, async t => {
    const res = await post(c.params)
    t.equal(res.statusCode, 201, res.body)
    const record = res.json() as { key: string, filename: string }
    t.match(record.key, /^originals\/[0-9a-f-]{36}$/, 'the key comes from a random id')
    t.match(record.filename, c.label)
    t.notOk(UNSAFE.test(record.filename), 'the label has no separators, controls or invisible characters')
    assertCleanHeaders(t, res)

    const form = await post(c.params, 'text/html')
    t.equal(form.statusCode, 303)
    t.match(form.headers['location'], /^\/gallery\/[0-9a-f-]{36}#token=[A-Za-z0-9_-]{43}$/, 'the redirect names the id and the delete token (in the fragment) only')
    assertCleanHeaders(t, form)

    const original = await app.inject(`/images/${(res.json() as { id: string }).id}/original`)
    t.equal(original.statusCode, 302)
    assertCleanHeaders(t, original)
    const fromS3 = await fetch(String(original.headers['location']))
    t.equal(fromS3.status, 200, 'the presigned URL works')
    const disposition = fromS3.headers.get('content-disposition') ?? ''
    t.match(disposition, /^inline; filename="[\x20-\x7e]*"; filename\*=UTF-8''[A-Za-z0-9%!#$&+.^_`|~-]*$/, 'S3 sends a disposition that cannot be split')
  })
}

t.test('a file name with HTML is escaped on its page', async t => {
  const res = await post('name="file"; filename="<img src=x onerror=alert(1)>.png"')
  const page = await app.inject(`/gallery/${res.json().id}`)
  t.equal(page.statusCode, 200)
  t.notMatch(page.body, '<img src=x', 'no live tag')
  t.match(page.body, '&lt;img src=x onerror=alert(1)&gt;.png')
})

const fieldNames: Array<{ name: string, params: string, status: number, code: string }> = [
  { name: 'field name __proto__', params: 'name="__proto__"; filename="a.png"', status: 400, code: 'MULTIPART_MALFORMED' },
  { name: 'field name constructor', params: 'name="constructor"; filename="a.png"', status: 400, code: 'MULTIPART_MALFORMED' },
  { name: 'a 300-character field name', params: `name="${'f'.repeat(300)}"; filename="a.png"`, status: 400, code: 'UNEXPECTED_FIELD' },
  // The parser drops a name* that decodes to CR LF: the part has no name, so it is no file.
  { name: 'CR LF encoded in name*', params: "name*=UTF-8''file%0D%0AX-Injected%3A%201; filename=\"a.png\"", status: 400, code: 'NO_FILE' },
  { name: 'CR LF encoded in filename*', params: "name=\"file\"; filename*=UTF-8''evil%0D%0AX-Injected%3A%201%0D%0A.png", status: 400, code: 'NO_FILE' },
  { name: 'a unicode look-alike of the field name "file"', params: "name*=UTF-8''f%D1%96le; filename=\"a.png\"", status: 400, code: 'UNEXPECTED_FIELD' }
]

for (const c of fieldNames) {
  t.test(`${c.name}: ${c.status} ${c.code}`, async t => {
    const res = await post(c.params)
    t.equal(res.statusCode, c.status, res.body)
    t.equal(res.json().code, c.code)
    t.ok(res.json().message.length < 300, 'the message quotes at most 100 characters of it')
    assertCleanHeaders(t, res)
  })
}

t.test('raw CR LF inside a quoted file name cannot add a header to the response', async t => {
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a\r\nSet-Cookie: evil=1\r\nX-Injected: 1.png"\r\nContent-Type: image/png\r\n\r\n`),
    png,
    Buffer.from(`\r\n--${boundary}--\r\n`)
  ])
  const head = requestHead({ 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': payload.length, Accept: 'text/html', Connection: 'close' })
  const res = await rawRequest(port, Buffer.concat([Buffer.from(head), payload]))
  t.ok(res.status !== undefined && res.status < 500, `answered ${res.status}`)
  const responseHead = res.raw.slice(0, res.raw.indexOf('\r\n\r\n'))
  t.notMatch(responseHead, MARKER, 'nothing of the name reaches the response head on the wire')
})

t.test('oversized request headers: 431 before any route runs, and the server keeps serving', async t => {
  const oneHuge = requestHead({ 'X-Padding': 'a'.repeat(20_000), 'Content-Length': 0 })
  const many = requestHead({ ...Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`X-H${i}`, 'v'])), 'Content-Length': 0 })
  const longUrl = `GET /gallery?q=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`
  for (const [name, request] of [['one 20 KB header', oneHuge], ['3000 headers', many], ['a 20 KB URL', longUrl]] as const) {
    const res = await rawRequest(port, request)
    t.equal(res.status, 431, name)
  }
  t.equal((await fetch(`http://127.0.0.1:${port}/health`)).status, 200)
})
