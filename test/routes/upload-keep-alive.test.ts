/**
 * Refused uploads over real keep-alive connections, as browsers and HTTP client libraries send
 * them: every answer must leave the connection usable for the next request (or close it), so a
 * refused file never stalls the request queued behind it.
 */
import t, { type Test } from 'tap'
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { randomBytes } from 'node:crypto'
import { buildTestApp, type TestApp } from '../helpers/build-app.js'
import { startEmbeddedStack } from '../helpers/stand-ins.js'
import { fixture, largePng, multipartBody, pngAnnouncing, type FilePart } from '../helpers/multipart.js'
import { storedState } from '../helpers/inspect.js'
import { largestRequestBytes } from '../../app/plugins/unread-body.js'

const stack = await startEmbeddedStack()
t.teardown(() => stack.close())

/** Every request must be answered within this time; a stalled connection fails the test. */
const ANSWER_MS = 5_000
const KiB = 1024
const MiB = 1024 * KiB
const LIMITS = { MAX_UPLOAD_BYTES: String(4 * MiB), MAX_FILES: '2', MAX_FIELDS: '4' }

interface Sent { method?: string, path: string, body?: Buffer, headers?: Record<string, string> }
interface Answer { status: number, headers: IncomingHttpHeaders, body: string }
type Client = (sent: Sent) => Promise<Answer>

interface Served extends TestApp { port: number }

async function serve (t: Test, env: Record<string, string> = {}): Promise<Served> {
  const built = await buildTestApp(t, stack.endpoints, { ...LIMITS, ...env })
  await built.app.listen({ port: 0, host: '127.0.0.1' })
  return { ...built, port: (built.app.server.address() as AddressInfo).port }
}

/** node:http with one keep-alive socket: every request waits for the one before it. */
function nodeHttpClient (t: Test, port: number): { send: Client, sockets: Set<Socket> } {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  t.teardown(() => agent.destroy())
  const sockets = new Set<Socket>()
  const send: Client = ({ method = 'POST', path, body, headers = {} }) => new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method, agent, headers: { ...headers, ...(body && { 'content-length': body.length }) } }, res => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }))
    })
    req.on('socket', socket => sockets.add(socket))
    req.setTimeout(ANSWER_MS, () => req.destroy(new Error(`no answer to ${method} ${path} within ${ANSWER_MS} ms`)))
    req.on('error', reject)
    req.end(body)
  })
  return { send, sockets }
}

/** The platform's fetch (undici), which keeps connections alive by default. */
function fetchClient (port: number): Client {
  return async ({ method = 'POST', path, body, headers = {} }) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers, body: body && new Uint8Array(body), signal: AbortSignal.timeout(ANSWER_MS) })
    return { status: res.status, headers: { connection: res.headers.get('connection') ?? undefined }, body: await res.text() }
  }
}

async function upload (files: FilePart[], fields: Record<string, string> = {}): Promise<Sent> {
  const { payload, headers } = await multipartBody(files, fields)
  return { path: '/upload', body: payload, headers: { ...headers, accept: 'application/json' } }
}

interface Refusal {
  name: string
  status: number
  code: string
  /** `imageId` is an image the previous upload stored. */
  sent: (imageId: string) => Promise<Sent>
  /** Fastify answers a body declared over a route's bodyLimit with `Connection: close`, unread. */
  closes?: boolean
}

/** Refusals of every kind the upload path makes, with bodies from 1 KiB to 8 MiB. */
const refusals: Refusal[] = [
  ...[KiB, 91 * KiB, 288 * KiB, 3 * MiB].map(size => ({
    name: `${size} random bytes`,
    status: 415,
    code: 'UNSUPPORTED_TYPE',
    sent: () => upload([{ filename: 'noise.bin', content: randomBytes(size) }])
  })),
  ...[KiB, MiB, 3 * MiB].map(size => ({
    name: `a ${size}-byte PNG announcing 30000x30000`,
    status: 422,
    code: 'TOO_MANY_PIXELS',
    sent: () => upload([{ filename: 'bomb.png', content: pngAnnouncing(30_000, size) }])
  })),
  {
    name: 'a PNG cut short after 2 MiB of its promise',
    status: 422,
    code: 'CORRUPT_IMAGE',
    sent: () => upload([{ filename: 'cut.png', content: Buffer.concat([fixture('image.png').subarray(0, 60), Buffer.alloc(2 * MiB)]) }])
  },
  ...[4 * MiB + 1, 8 * MiB].map(size => ({
    name: `a file of ${size} bytes, over the 4 MiB limit`,
    status: 413,
    code: 'FILE_TOO_LARGE',
    sent: () => upload([{ filename: 'big.png', content: largePng(size) }])
  })),
  {
    name: 'three files of 1 MiB where two are allowed',
    status: 413,
    code: 'TOO_MANY_FILES',
    sent: () => upload([1, 2, 3].map(n => ({ filename: `${n}.png`, content: largePng(MiB) })))
  },
  {
    name: 'a 1 MiB file in the wrong field',
    status: 400,
    code: 'UNEXPECTED_FIELD',
    sent: () => upload([{ field: 'photo', filename: 'a.png', content: randomBytes(MiB) }])
  },
  {
    name: 'an empty file',
    status: 400,
    code: 'EMPTY_FILE',
    sent: () => upload([{ filename: 'empty.png', content: Buffer.alloc(0) }])
  },
  {
    name: 'a 512 KiB JSON body where a form is expected',
    status: 415,
    code: 'NOT_MULTIPART',
    sent: async () => ({ path: '/upload', body: Buffer.from(JSON.stringify({ pad: 'x'.repeat(512 * KiB) })), headers: { 'content-type': 'application/json' } })
  },
  {
    name: 'a 2 MiB grant request, over the JSON body limit',
    status: 413,
    code: 'CTP_BODY_TOO_LARGE',
    closes: true,
    sent: async () => ({ path: '/uploads', body: Buffer.from(JSON.stringify({ pad: 'x'.repeat(2 * MiB) })), headers: { 'content-type': 'application/json' } })
  },
  {
    name: 'a 1 MiB body to a route that does not exist',
    status: 404,
    code: 'NOT_FOUND',
    sent: async () => ({ path: '/nope', body: randomBytes(MiB), headers: { 'content-type': 'application/octet-stream' } })
  },
  {
    name: 'a delete with a wrong token and a 512 KiB JSON body',
    status: 403,
    code: 'FORBIDDEN',
    sent: async imageId => ({ method: 'DELETE', path: `/images/${imageId}`, body: Buffer.from(JSON.stringify({ pad: 'x'.repeat(512 * KiB) })), headers: { 'content-type': 'application/json', 'x-delete-token': 'A'.repeat(43) } })
  }
]

/**
 * node:http's socket count is exact. undici (fetch) decides for itself when to open another
 * connection, so with fetch the test holds it to what a user sees: every request answered.
 */
const clients: Array<{ name: string, make: (t: Test, served: Served) => { send: Client, sockets?: Set<Socket> } }> = [
  { name: 'node:http Agent with one keep-alive socket', make: (t, served) => nodeHttpClient(t, served.port) },
  { name: 'fetch', make: (_t, served) => ({ send: fetchClient(served.port) }) }
]

for (const client of clients) {
  t.test(`${client.name}: every refusal is followed by an upload that succeeds on the same connection`, async t => {
    const served = await serve(t)
    const { send, sockets } = client.make(t, served)
    const valid = await upload([{ filename: 'image.png', content: fixture('image.png'), type: 'image/png' }])
    let last = JSON.parse((await send(valid)).body)
    for (const refusal of refusals) {
      const refused = await send(await refusal.sent(last.id))
      t.equal(refused.status, refusal.status, refusal.name)
      t.equal(JSON.parse(refused.body).code, refusal.code, refusal.name)
      if (refusal.closes) t.equal(refused.headers['connection'], 'close', `${refusal.name}: the connection is closed`)
      else t.not(refused.headers['connection'], 'close', `${refusal.name}: the connection stays open`)
      const accepted = await send(valid)
      t.equal(accepted.status, 201, `the upload after ${refusal.name}`)
      last = JSON.parse(accepted.body)
    }
    if (sockets) {
      const closing = refusals.filter(refusal => refusal.closes).length
      t.equal(sockets.size, 1 + closing, 'one connection carried every request up to each answer that closed it')
    }
    const { keys, items } = await storedState(served.clients, served.config)
    t.equal(items.length, refusals.length + 1, 'only the accepted uploads have items')
    t.same(keys, items.map(item => item['key']).sort(), 'and only their objects are stored')
  })
}

t.test('a rate-limited upload leaves the connection usable too', async t => {
  const served = await serve(t, { RATE_LIMIT_MAX: '1' })
  const { send, sockets } = nodeHttpClient(t, served.port)
  const valid = await upload([{ filename: 'image.png', content: fixture('image.png'), type: 'image/png' }])
  t.equal((await send(valid)).status, 201)
  for (const size of [KiB, 2 * MiB]) {
    const limited = await send(await upload([{ filename: 'again.png', content: pngAnnouncing(10, size) }]))
    t.equal(limited.status, 429, `${size} bytes over the rate limit`)
    t.equal(JSON.parse(limited.body).code, 'RATE_LIMITED')
  }
  t.equal((await send({ method: 'GET', path: '/health' })).status, 200, 'the next request is answered')
  t.equal(sockets.size, 1, 'on the same socket')
})

t.test('a body larger than any the app accepts is answered, then its connection is closed', async t => {
  const served = await serve(t, { MAX_UPLOAD_BYTES: String(MiB), MAX_FILES: '1', MAX_FIELDS: '0' })
  const { send, sockets } = nodeHttpClient(t, served.port)
  const oversized = 4 * MiB
  t.ok(oversized > largestRequestBytes(served.config), 'the body is over the largest the app could accept')
  const refused = await send(await upload([{ filename: 'noise.bin', content: randomBytes(oversized) }]))
  t.equal(refused.status, 415)
  t.equal(refused.headers['connection'], 'close', 'the answer says the connection ends')
  const accepted = await send(await upload([{ filename: 'image.png', content: fixture('image.png'), type: 'image/png' }]))
  t.equal(accepted.status, 201, 'the next request goes out on a new connection and succeeds')
  t.equal(sockets.size, 2)
})
