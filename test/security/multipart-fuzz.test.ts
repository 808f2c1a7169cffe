/**
 * Property-based fuzzing (fast-check) of POST /upload. Two properties:
 * 1. well-formed multipart bodies with arbitrary names and arbitrary, truncated, corrupted or
 *    genuine file contents: never a 5xx; a 201 stores exactly the sent bytes; a refusal, nothing;
 * 2. those bodies mutated at the byte level (framing broken anywhere): never a 5xx, and what
 *    is stored always matches its record; a refusal stores nothing.
 * CI runs a bounded number of cases; `npm run fuzz` runs many. Replay: FUZZ_SEED=<seed>.
 */
import t from 'tap'
import fc from 'fast-check'
import { buildTestApp } from '../helpers/build-app.js'
import { startEmbeddedStack } from '../helpers/stand-ins.js'
import { fixture, multipartBody } from '../helpers/multipart.js'
import { readObject, sha256, storedState } from '../helpers/inspect.js'
import { testSeed } from '../helpers/seed.js'

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 60)
const seed = testSeed('FUZZ_SEED', 20261208)
t.comment(`FUZZ_SEED=${seed} FUZZ_RUNS=${RUNS}`)

const stack = await startEmbeddedStack()
t.teardown(() => stack.close())
const { app, config, clients } = await buildTestApp(t, stack.endpoints, { RATE_LIMIT_MAX: '1000000', RATE_LIMIT_GLOBAL_MAX: '1000000', MAX_UPLOAD_BYTES: String(64 * 1024) })

const FIXTURES = ['image.jpg', 'image.png', 'image.gif', 'image.webp', 'image.avif', 'image.heic', 'image.tiff', 'image.bmp'].map(fixture)

/** File contents: genuine images, images with a tail, cut, or with bytes flipped, magic bytes then noise, pure noise. */
const content = fc.oneof(
  fc.constantFrom(...FIXTURES),
  fc.tuple(fc.constantFrom(...FIXTURES), fc.uint8Array({ maxLength: 300 })).map(([image, tail]) => Buffer.concat([image, tail])),
  fc.tuple(fc.constantFrom(...FIXTURES), fc.double({ min: 0, max: 1, noNaN: true })).map(([image, at]) => image.subarray(0, Math.floor(image.length * at))),
  fc.tuple(fc.constantFrom(...FIXTURES), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 })).map(([image, flips]) => {
    const copy = Buffer.from(image)
    for (const [at, value] of flips) copy[at % copy.length] = value
    return copy
  }),
  fc.tuple(fc.constantFrom(...FIXTURES), fc.uint8Array({ maxLength: 2000 })).map(([image, noise]) => Buffer.concat([image.subarray(0, 16), noise])),
  fc.uint8Array({ maxLength: 5000 }).map(bytes => Buffer.from(bytes))
)

const files = fc.array(fc.record({
  filename: fc.string({ unit: 'binary', maxLength: 40 }),
  field: fc.constantFrom('file', 'file', 'file', 'photo'),
  content
}), { minLength: 1, maxLength: 3 })
const fields = fc.dictionary(fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 10 }), fc.string({ maxLength: 20 }), { maxKeys: 3 })

type Answer = Awaited<ReturnType<typeof app.inject>>

/** Nothing new stored, or exactly the records of a 201, each matching its object. Returns the keys now stored. */
async function assertStoreMatches (res: Answer, before: Set<string>): Promise<Set<string>> {
  const state = await storedState(clients, config)
  const added = state.keys.filter(key => !before.has(key))
  if (res.statusCode !== 201) {
    if (added.length > 0) throw new Error(`${res.statusCode} but stored ${added.join(', ')}`)
    return new Set(state.keys)
  }
  const body = res.json() as { images?: Array<{ id: string, key: string, sha256: string, size: number }> } & { id: string, key: string, sha256: string, size: number }
  const records = body.images ?? [body]
  if (added.sort().join() !== records.map(r => r.key).sort().join()) throw new Error(`201 for ${records.length} images but ${added.length} new objects`)
  for (const record of records) {
    const stored = await readObject(clients.s3, config.bucket, record.key)
    if (sha256(stored.bytes) !== record.sha256 || stored.bytes.length !== record.size) throw new Error(`${record.key} does not match its record`)
    if (!state.items.some(item => item['id'] === record.id && item['sha256'] === record.sha256)) throw new Error(`${record.id} has no matching item`)
  }
  return new Set(state.keys)
}

/** Throws on a 5xx or an error without our code and message; counts the outcome. */
function assertNo5xx (res: Answer, outcomes: Map<string, number>): void {
  if (res.statusCode >= 500) throw new Error(`${res.statusCode}: ${res.body}`)
  let outcome = String(res.statusCode)
  if (res.statusCode !== 201) {
    const body = res.json() as Record<string, unknown>
    if (typeof body['code'] !== 'string' || typeof body['message'] !== 'string') throw new Error(`an error without code and message: ${res.body}`)
    outcome += ` ${body['code']}`
  }
  outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1)
}

const describe = (outcomes: Map<string, number>): string => [...outcomes].sort().map(([outcome, n]) => `${outcome} x${n}`).join(', ')

let stored = new Set<string>()

t.test('well-formed bodies: no 5xx; a 201 stores exactly the bytes sent, a refusal nothing', async t => {
  const outcomes = new Map<string, number>()
  await fc.assert(fc.asyncProperty(files, fields, async (parts, extra) => {
    const body = await multipartBody(parts.map(p => ({ field: p.field, filename: p.filename, content: p.content })), extra)
    const res = await app.inject({ method: 'POST', url: '/upload', payload: body.payload, headers: body.headers })
    assertNo5xx(res, outcomes)
    stored = await assertStoreMatches(res, stored)
    if (res.statusCode === 201) {
      const records = (res.json().images ?? [res.json()]) as Array<{ key: string }>
      for (const [i, record] of records.entries()) {
        const sent = parts[i]!.content
        if (!(await readObject(clients.s3, config.bucket, record.key)).bytes.equals(sent)) throw new Error(`${record.key}: stored bytes differ from file ${i}`)
      }
    }
  }), { numRuns: RUNS, seed })
  t.comment(describe(outcomes))
  t.ok((outcomes.get('201') ?? 0) > 0, 'some cases were stored (and checked byte for byte)')
  t.ok(outcomes.size >= 4, 'and refused in several ways')
})

const mutation = fc.record({
  at: fc.nat(),
  op: fc.constantFrom('flip', 'insert', 'delete', 'cut'),
  bytes: fc.constantFrom('\r\n', '--', '\r\n\r\n', '"', ';', '\0', '\n', 'Content-Disposition: form-data; name="file"; filename="x.png"\r\n', '\xff\xd8\xff')
})

t.test('byte-level mutations of those bodies: no 5xx; whatever is stored matches its record', async t => {
  const outcomes = new Map<string, number>()
  await fc.assert(fc.asyncProperty(files, fc.array(mutation, { minLength: 1, maxLength: 6 }), async (parts, mutations) => {
    const body = await multipartBody(parts.map(p => ({ field: p.field, filename: p.filename, content: p.content })))
    let payload = body.payload
    for (const { at, op, bytes } of mutations) {
      const i = payload.length === 0 ? 0 : at % payload.length
      const insert = Buffer.from(bytes, 'latin1')
      if (op === 'flip') payload = Buffer.concat([payload.subarray(0, i), Buffer.from([(payload[i] ?? 0) ^ 0xff]), payload.subarray(i + 1)])
      if (op === 'insert') payload = Buffer.concat([payload.subarray(0, i), insert, payload.subarray(i)])
      if (op === 'delete') payload = Buffer.concat([payload.subarray(0, i), payload.subarray(i + insert.length)])
      if (op === 'cut') payload = payload.subarray(0, i)
    }
    const res = await app.inject({ method: 'POST', url: '/upload', payload, headers: body.headers })
    assertNo5xx(res, outcomes)
    stored = await assertStoreMatches(res, stored)
  }), { numRuns: RUNS * 2, seed })
  t.comment(describe(outcomes))
  t.ok(outcomes.size >= 3, 'the mutations reach several outcomes')
})
