/**
 * Malformed and hostile multipart requests over real sockets: each gets a 4xx (or Node's 408
 * and a close) within a bounded time, never a 5xx; the server keeps serving and stores nothing.
 * (upload-errors.test.ts covers a missing boundary, an unterminated body and a 0-byte file.)
 */
import t, { type Test } from 'tap'
import type { AddressInfo } from 'node:net'
import { buildTestApp } from '../helpers/build-app.js'
import { startEmbeddedStack } from '../helpers/stand-ins.js'
import { fixture, rawMultipart } from '../helpers/multipart.js'
import { eventually, readObject, storedState } from '../helpers/inspect.js'
import { rawConnection, rawRequest, requestHead, type RawResponse } from '../helpers/raw-http.js'

const stack = await startEmbeddedStack()
t.teardown(() => stack.close())

const REQUEST_TIMEOUT_MS = 1500
const { app, config, clients } = await buildTestApp(t, stack.endpoints, { REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) })
await app.listen({ port: 0, host: '127.0.0.1' })
const { port } = app.server.address() as AddressInfo

const png = fixture('image.png')
const boundary = 'hostile-boundary'
const disposition = (name: string, filename = 'a.png') => `Content-Disposition: form-data; name="${name}"; filename="${filename}"`
const pngPart = (headers: string[] = [disposition('file'), 'Content-Type: image/png']) => ({ headers, body: png })
const multipartType = `multipart/form-data; boundary=${boundary}`

/** A whole request: head with a correct Content-Length, then the body. */
function post (body: Buffer, contentType = multipartType): Buffer {
  return Buffer.concat([Buffer.from(requestHead({ 'Content-Type': contentType, 'Content-Length': body.length, Connection: 'close' })), body])
}

const code = (res: RawResponse): string | undefined => res.body.startsWith('{') ? (JSON.parse(res.body) as { code?: string }).code : undefined

interface Case {
  name: string
  bytes: () => Buffer
  status: number
  code?: string
}

const cases: Case[] = [
  {
    name: 'a body framed with a different boundary than the header declares',
    bytes: () => post(rawMultipart('another-boundary', [pngPart()])),
    status: 400,
    code: 'MULTIPART_MALFORMED'
  },
  {
    name: 'part headers ended by bare LF instead of CRLF',
    bytes: () => post(Buffer.concat([Buffer.from(`--${boundary}\n${disposition('file')}\nContent-Type: image/png\n\n`), png, Buffer.from(`\n--${boundary}--\n`)])),
    status: 400,
    code: 'MULTIPART_MALFORMED'
  },
  {
    // The parser keeps at most 80 KiB of a part's headers and drops the rest: here the part's
    // name goes with it. (Padding after the name is dropped harmlessly: see the test below.)
    name: 'a 100 KiB part header block in front of Content-Disposition',
    bytes: () => post(rawMultipart(boundary, [pngPart([`X-Padding: ${'a'.repeat(100 * 1024)}`, disposition('file')])])),
    status: 400,
    code: 'NO_FILE'
  },
  {
    name: 'a part header without a name',
    bytes: () => post(rawMultipart(boundary, [pngPart(['Content-Disposition: form-data; filename="a.png"', 'Content-Type: image/png'])])),
    status: 400,
    code: 'UNEXPECTED_FIELD'
  },
  {
    name: 'a part without Content-Disposition',
    bytes: () => post(rawMultipart(boundary, [pngPart(['Content-Type: image/png'])])),
    status: 400,
    code: 'NO_FILE'
  },
  {
    name: 'a nested multipart/mixed part (HTML 4 style)',
    bytes: () => post(rawMultipart(boundary, [{
      headers: ['Content-Disposition: form-data; name="file"', 'Content-Type: multipart/mixed; boundary=inner'],
      body: rawMultipart('inner', [{ headers: ['Content-Disposition: file; filename="a.png"', 'Content-Type: image/png'], body: png }])
    }])),
    status: 400,
    code: 'NO_FILE'
  },
  {
    name: 'a nested multipart body sent as the file',
    bytes: () => post(rawMultipart(boundary, [{
      headers: [disposition('file', 'nested.png'), 'Content-Type: multipart/mixed; boundary=inner'],
      body: rawMultipart('inner', [pngPart()])
    }])),
    status: 415,
    code: 'UNSUPPORTED_TYPE'
  },
  {
    // The body ends early (unterminated) and the bytes past it are a broken next request: the
    // client sees Node's 400 for the latter first.
    name: 'a Content-Length shorter than the body',
    bytes: () => {
      const body = rawMultipart(boundary, [pngPart()])
      const head = requestHead({ 'Content-Type': multipartType, 'Content-Length': body.length - 100 })
      return Buffer.concat([Buffer.from(head), body])
    },
    status: 400
  },
  {
    name: 'a non-numeric Content-Length',
    bytes: () => Buffer.concat([Buffer.from(requestHead({ 'Content-Type': multipartType, 'Content-Length': '12abc' })), rawMultipart(boundary, [pngPart()])]),
    status: 400
  },
  {
    name: 'both Content-Length and chunked Transfer-Encoding (request smuggling)',
    bytes: () => Buffer.concat([Buffer.from(requestHead({ 'Content-Type': multipartType, 'Content-Length': 10, 'Transfer-Encoding': 'chunked' })), Buffer.from('0\r\n\r\n')]),
    status: 400
  }
]

/** Duplicates that are not an attack: text fields repeated, the file field repeated. */
t.test('duplicate fields are harmless: repeated text fields are ignored, repeated files are all stored', async t => {
  const { app: fresh, config: freshConfig, clients: freshClients } = await buildTestApp(t, stack.endpoints)
  const body = rawMultipart(boundary, [
    { headers: ['Content-Disposition: form-data; name="title"'], body: 'one' },
    { headers: ['Content-Disposition: form-data; name="title"'], body: 'two' },
    pngPart(), pngPart()
  ])
  const res = await fresh.inject({ method: 'POST', url: '/upload', payload: body, headers: { 'content-type': multipartType } })
  t.equal(res.statusCode, 201)
  t.equal(res.json().images.length, 2)
  const state = await storedState(freshClients, freshConfig)
  t.equal(state.keys.length, 2)
  t.equal(state.items.length, 2)
})

t.test('padding after Content-Disposition in a 100 KiB part header is cut at 80 KiB; the file is stored intact', async t => {
  const { app: fresh, config: freshConfig, clients: freshClients } = await buildTestApp(t, stack.endpoints)
  const body = rawMultipart(boundary, [pngPart([disposition('file'), `X-Padding: ${'a'.repeat(100 * 1024)}`, 'Content-Type: image/png'])])
  const res = await fresh.inject({ method: 'POST', url: '/upload', payload: body, headers: { 'content-type': multipartType } })
  t.equal(res.statusCode, 201)
  const [key] = (await storedState(freshClients, freshConfig)).keys
  t.equal((await readObject(freshClients.s3, freshConfig.bucket, key!)).bytes.compare(png), 0, 'the stored bytes are the sent bytes')
})

async function assertServingAndClean (t: Test): Promise<void> {
  const health = await fetch(`http://127.0.0.1:${port}/health`)
  t.equal(health.status, 200, 'the server keeps serving')
  t.ok(await eventually(async () => {
    const state = await storedState(clients, config)
    return state.keys.length === 0 && state.items.length === 0
  }, 5_000), 'nothing stored')
}

for (const c of cases) {
  t.test(`${c.name}: ${c.status}${c.code ? ` ${c.code}` : ''}`, async t => {
    const res = await rawRequest(port, c.bytes())
    t.equal(res.status, c.status, res.raw.slice(0, 300))
    if (c.code) t.equal(code(res), c.code)
    t.ok(res.ms < 3_000, `answered in ${Math.round(res.ms)} ms`)
    await assertServingAndClean(t)
  })
}

t.test('a Content-Length longer than the body: 408 and a close once REQUEST_TIMEOUT_MS passes; the stored file is rolled back', async t => {
  const body = rawMultipart(boundary, [pngPart()])
  const connection = rawConnection(port, 10_000)
  await connection.write(Buffer.concat([Buffer.from(requestHead({ 'Content-Type': multipartType, 'Content-Length': body.length + 100 })), body]))
  const res = await connection.response
  t.equal(res.status, 408, res.raw.slice(0, 200))
  t.ok(res.closedByServer, 'the server closed the connection')
  t.ok(res.ms >= REQUEST_TIMEOUT_MS - 100 && res.ms < REQUEST_TIMEOUT_MS + 3_000, `closed after ${Math.round(res.ms)} ms`)
  await assertServingAndClean(t)
})

for (const stage of ['headers', 'body', 'chunked body'] as const) {
  t.test(`slowloris dribbling its ${stage} one byte every 100 ms is cut off after REQUEST_TIMEOUT_MS`, async t => {
    const connection = rawConnection(port, 10_000)
    if (stage === 'body') await connection.write(requestHead({ 'Content-Type': multipartType, 'Content-Length': 100_000 }) + `--${boundary}\r\n`)
    if (stage === 'chunked body') await connection.write(requestHead({ 'Content-Type': multipartType, 'Transfer-Encoding': 'chunked' }) + '4\r\n--hi\r\n')
    if (stage === 'headers') await connection.write('POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\n')
    const drip = setInterval(() => { connection.write(stage === 'chunked body' ? '1\r\nx\r\n' : 'x').catch(() => {}) }, 100)
    const res = await connection.response
    clearInterval(drip)
    t.ok(res.closedByServer, 'the server closed the connection')
    t.equal(res.status, 408)
    t.ok(res.ms < REQUEST_TIMEOUT_MS + 3_000, `closed after ${Math.round(res.ms)} ms`)
    await assertServingAndClean(t)
  })
}
