/**
 * The embedded stack (s3rver + dynalite, what `node app` runs in local mode) refuses what AWS
 * refuses for this app's flows: unsigned or wrongly signed requests, expired presigned URLs,
 * POST uploads outside their signed policy, redirect fields, and browsers on DynamoDB.
 */
import t from 'tap'
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb'
import { createPresignedPost } from '@aws-sdk/s3-presigned-post'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import { buildTestApp } from '../helpers/build-app.js'
import { readObject, sha256 } from '../helpers/inspect.js'
import { startEmbeddedStack } from '../helpers/stand-ins.js'

const stack = await startEmbeddedStack()
t.teardown(() => stack.close())
const { app, config, clients } = await buildTestApp(t, stack.endpoints)
const bucket = config.bucket
const clientSettings = { endpoint: stack.endpoints.s3, region: 'us-east-1', forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' } as const

interface Grant { id: string, upload: { url: string, fields: Record<string, string> } }

async function grant (size: number): Promise<Grant> {
  const res = await app.inject({ method: 'POST', url: '/uploads', payload: { filename: 'a.png', size, type: 'image/png' } })
  if (res.statusCode !== 201) throw new Error(`grant: ${res.statusCode} ${res.body}`)
  return res.json()
}

async function postForm (url: string, fields: Record<string, string>, file: Uint8Array, headers: Record<string, string> = {}): Promise<{ status: number, location: string | null, body: string }> {
  const form = new FormData()
  for (const [name, value] of Object.entries(fields)) form.append(name, value)
  form.append('file', new Blob([new Uint8Array(file)]), 'file')
  const res = await fetch(url, { method: 'POST', body: form, headers, redirect: 'manual', signal: AbortSignal.timeout(10_000) })
  return { status: res.status, location: res.headers.get('location'), body: await res.text() }
}

async function exists (key: string): Promise<boolean> {
  try {
    await readObject(clients.s3, bucket, key)
    return true
  } catch (err) {
    if ((err as Error).name === 'NoSuchKey') return false
    throw err
  }
}

const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(100, 7)])

t.test('a grant\'s own fields still upload its file (the flow the guard must keep)', async t => {
  const { id, upload } = await grant(png.length)
  const res = await postForm(upload.url, upload.fields, png)
  t.equal(res.status, 204)
  t.equal(sha256((await readObject(clients.s3, bucket, `incoming/${id}`)).bytes), sha256(png))
})

t.test('a grant\'s fields posted with key=originals/<another id> are refused and the original is untouched', async t => {
  const victim = `originals/${crypto.randomUUID()}`
  const original = Buffer.from('the ready original')
  await clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: victim, Body: original }))
  const { upload } = await grant(png.length)
  const res = await postForm(upload.url, { ...upload.fields, key: victim }, png)
  t.equal(res.status, 403)
  t.match(res.body, /<Code>AccessDenied<\/Code>[\s\S]*Policy Condition failed/)
  t.equal(sha256((await readObject(clients.s3, bucket, victim)).bytes), sha256(original), 'the original is the one written before')
})

t.test('a POST larger than the policy\'s content-length-range is refused and writes nothing', async t => {
  const { id, upload } = await grant(png.length)
  const res = await postForm(upload.url, upload.fields, Buffer.concat([png, Buffer.alloc(64 * 1024)]))
  t.equal(res.status, 400)
  t.match(res.body, /EntityTooLarge/)
  t.notOk(await exists(`incoming/${id}`))
})

t.test('a POST outside its policy\'s other conditions is refused: Content-Type, expiry, an unlisted field, too small', async t => {
  const { id, upload } = await grant(png.length)
  const svg = await postForm(upload.url, { ...upload.fields, 'Content-Type': 'image/svg+xml' }, png)
  t.equal(svg.status, 403, 'another Content-Type than granted')
  t.match(svg.body, /Policy Condition failed/)
  const extra = await postForm(upload.url, { ...upload.fields, 'x-amz-meta-note': 'unlisted' }, png)
  t.equal(extra.status, 403, 'a field no condition names')
  t.match(extra.body, /Extra input fields: x-amz-meta-note/)
  const small = await postForm(upload.url, upload.fields, png.subarray(0, 8))
  t.equal(small.status, 400, 'smaller than the exact size granted')
  t.match(small.body, /EntityTooSmall/)
  t.notOk(await exists(`incoming/${id}`))

  const late = new S3Client({ ...clientSettings, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, systemClockOffset: -2 * 3600_000 })
  t.teardown(() => late.destroy())
  const key = `incoming/${crypto.randomUUID()}`
  const expired = await createPresignedPost(late, { Bucket: bucket, Key: key, Expires: 60 })
  const res = await postForm(expired.url, expired.fields, png)
  t.equal(res.status, 403, 'a policy past its expiration')
  t.match(res.body, /Policy expired/)
  t.notOk(await exists(key))
})

t.test('a POST with success_action_redirect is refused, with no redirect, even when its policy allows it', async t => {
  const key = `incoming/${crypto.randomUUID()}`
  const signed = await createPresignedPost(clients.s3, {
    Bucket: bucket,
    Key: key,
    Fields: { success_action_redirect: 'https://evil.example/' },
    Conditions: [['content-length-range', 1, 1000]]
  })
  const res = await postForm(signed.url, signed.fields, png)
  t.not(res.status, 303)
  t.equal(res.status, 400)
  t.equal(res.location, null, 'no Location header')
  t.notOk(await exists(key))

  const { id, upload } = await grant(png.length)
  const added = await postForm(upload.url, { ...upload.fields, redirect: 'https://evil.example/' }, png)
  t.equal(added.status, 400)
  t.equal(added.location, null)
  t.notOk(await exists(`incoming/${id}`))
})

t.test('a POST with no policy, or a policy signed with another secret, is refused', async t => {
  const key = `incoming/${crypto.randomUUID()}`
  const bare = await postForm(`${stack.endpoints.s3}/${bucket}`, { key }, png)
  t.equal(bare.status, 403)
  const forger = new S3Client({ ...clientSettings, credentials: { accessKeyId: 'test', secretAccessKey: 'not-the-local-secret' } })
  t.teardown(() => forger.destroy())
  const forged = await createPresignedPost(forger, { Bucket: bucket, Key: key })
  const res = await postForm(forged.url, forged.fields, png)
  t.equal(res.status, 403)
  t.match(res.body, /SignatureDoesNotMatch/)
  t.notOk(await exists(key))
})

t.test('the local key is public, so S3 answers browsers only for pages served from loopback', async t => {
  // What any web page can do: sign its own policy with test/test and post the form (no preflight).
  const key = `originals/${crypto.randomUUID()}`
  const forged = await createPresignedPost(clients.s3, { Bucket: bucket, Key: key, Conditions: [['content-length-range', 1, 1000]] })
  for (const origin of ['https://evil.example', 'null', 'http://127.0.0.1.evil.example']) {
    const res = await postForm(forged.url, forged.fields, png, { Origin: origin })
    t.equal(res.status, 403, `Origin: ${origin}`)
  }
  t.notOk(await exists(key))
  const preflight = await fetch(`${stack.endpoints.s3}/${bucket}`, {
    method: 'OPTIONS',
    headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization' },
    signal: AbortSignal.timeout(10_000)
  })
  await preflight.arrayBuffer()
  t.equal(preflight.headers.get('access-control-allow-origin'), null, 'no CORS for another origin')
  const local = await postForm(forged.url, forged.fields, png, { Origin: 'http://127.0.0.1:3000' })
  t.equal(local.status, 204, 'a page served from loopback, like the app\'s, may post')
})

t.test('an unsigned PUT to processed/... is refused', async t => {
  const key = `processed/${crypto.randomUUID()}/thumb.webp`
  const res = await fetch(`${stack.endpoints.s3}/${bucket}/${key}`, { method: 'PUT', body: 'not a thumbnail', signal: AbortSignal.timeout(10_000) })
  t.equal(res.status, 403)
  t.match(await res.text(), /<Code>AccessDenied<\/Code>/)
  t.notOk(await exists(key))
})

t.test('a PUT signed with a wrong secret is refused', async t => {
  const key = `processed/${crypto.randomUUID()}/thumb.webp`
  const wrong = new S3Client({ ...clientSettings, credentials: { accessKeyId: 'test', secretAccessKey: 'wrong' } })
  t.teardown(() => wrong.destroy())
  const err = await wrong.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'x' })).then(() => undefined, (e: unknown) => e)
  t.match(err, { name: 'SignatureDoesNotMatch', $metadata: { httpStatusCode: 403 } })
  const unknownKey = new S3Client({ ...clientSettings, credentials: { accessKeyId: 'someone', secretAccessKey: 'test' } })
  t.teardown(() => unknownKey.destroy())
  const err2 = await unknownKey.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'x' })).then(() => undefined, (e: unknown) => e)
  t.match(err2, { $metadata: { httpStatusCode: 403 } })
  t.notOk(await exists(key))
})

t.test('presigned GET: a fresh URL works, an expired or altered one is refused', async t => {
  const key = `originals/${crypto.randomUUID()}`
  await clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'secret bytes' }))
  const fresh = await getSignedUrl(clients.s3, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: 60 })
  const ok = await fetch(fresh, { signal: AbortSignal.timeout(10_000) })
  t.equal(ok.status, 200)
  t.equal(await ok.text(), 'secret bytes')

  const expired = await getSignedUrl(clients.s3, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: 60, signingDate: new Date(Date.now() - 3600_000) })
  const res = await fetch(expired, { signal: AbortSignal.timeout(10_000) })
  t.equal(res.status, 403)
  const body = await res.text()
  t.match(body, /AccessDenied/)
  t.notMatch(body, /secret bytes/)

  const other = `originals/${crypto.randomUUID()}`
  await clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: other, Body: 'other bytes' }))
  const altered = await fetch(fresh.replace(key, other), { signal: AbortSignal.timeout(10_000) })
  t.equal(altered.status, 403, 'a signature is for one key')
})

t.test('DynamoDB: a Scan with a bogus signature is refused and returns no items', async t => {
  await app.inject({ method: 'POST', url: '/uploads', payload: { filename: 'a.png', size: 10, type: 'image/png' } })
  const body = JSON.stringify({ TableName: config.table })
  const res = await fetch(stack.endpoints.dynamodb, {
    method: 'POST',
    body,
    headers: {
      'Content-Type': 'application/x-amz-json-1.0',
      'X-Amz-Target': 'DynamoDB_20120810.Scan',
      'X-Amz-Date': new Date().toISOString().replace(/[-:]|\.\d+/g, ''),
      Authorization: `AWS4-HMAC-SHA256 Credential=test/${new Date().toISOString().slice(0, 10).replace(/-/g, '')}/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=${'0'.repeat(64)}`
    },
    signal: AbortSignal.timeout(10_000)
  })
  t.equal(res.status, 400)
  const text = await res.text()
  t.match(JSON.parse(text), { __type: /InvalidSignatureException$/ })
  t.notMatch(text, /deleteTokenHash|Items/)

  const wrong = new DynamoDBClient({ endpoint: stack.endpoints.dynamodb, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'wrong' }, maxAttempts: 1 })
  t.teardown(() => wrong.destroy())
  const err = await wrong.send(new ScanCommand({ TableName: config.table })).then(() => undefined, (e: unknown) => e)
  t.match(err, { name: 'InvalidSignatureException', $metadata: { httpStatusCode: 400 } })

  const unsigned = await fetch(stack.endpoints.dynamodb, { method: 'POST', body, headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': 'DynamoDB_20120810.Scan' }, signal: AbortSignal.timeout(10_000) })
  t.equal(unsigned.status, 400)
  t.notMatch(await unsigned.text(), /deleteTokenHash|Items/)

  const right = new DynamoDBClient({ endpoint: stack.endpoints.dynamodb, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } })
  t.teardown(() => right.destroy())
  const scanned = await right.send(new ScanCommand({ TableName: config.table }))
  t.ok((scanned.Items ?? []).length > 0, 'the local key still reads the table')
})

t.test('DynamoDB answers no browser: no Access-Control-Allow-Origin on a preflight or a request with an Origin', async t => {
  const preflight = await fetch(stack.endpoints.dynamodb, {
    method: 'OPTIONS',
    headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,x-amz-target,x-amz-date,content-type' },
    signal: AbortSignal.timeout(10_000)
  })
  await preflight.arrayBuffer()
  t.equal(preflight.headers.get('access-control-allow-origin'), null)
  t.equal(preflight.headers.get('access-control-allow-headers'), null)

  const right = new DynamoDBClient({ endpoint: stack.endpoints.dynamodb, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } })
  t.teardown(() => right.destroy())
  const seen: Array<string | undefined> = []
  right.middlewareStack.add(next => async args => {
    (args.request as { headers: Record<string, string> }).headers['origin'] = 'https://evil.example'
    const result = await next(args)
    seen.push((result.response as { headers: Record<string, string> }).headers['access-control-allow-origin'])
    return result
  }, { step: 'build' })
  await right.send(new ScanCommand({ TableName: config.table }))
  t.same(seen, [undefined])
})
