/**
 * Listing the embedded S3 (s3rver, started by startLocalStack as `node app` starts it) page by
 * page past 1,000 keys, with the AWS SDK and with the AWS CLI, in a process without
 * --openssl-legacy-provider: s3rver's own continuation token needs that flag, the one
 * app/plugins/s3rver-paging.ts puts in its place does not.
 */
import t, { type Test } from 'tap'
import { createCipheriv } from 'node:crypto'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import {
  CreateBucketCommand, ListObjectsCommand, ListObjectsV2Command, paginateListObjectsV2,
  PutObjectCommand, type ListObjectsV2CommandInput, type S3Client
} from '@aws-sdk/client-s3'
import { destroyAwsClients } from '../../app/plugins/aws-clients.js'
import { testClients, testConfig } from '../helpers/build-app.js'
import { cleanEnv, spawnNodeApp, waitForLog } from '../helpers/node-app.js'
import { freePort, startEmbeddedStack, tempDir } from '../helpers/stand-ins.js'

const FLAT_COUNT = 2_100
const pad = (n: number): string => String(n).padStart(5, '0')
// Keys under a folder of their own, between the flat keys, so a delimiter listing has common prefixes.
const NESTED = Array.from({ length: 30 }, (_, i) => `flat/${pad(i * 70)}x/leaf`)
const FLAT = Array.from({ length: FLAT_COUNT }, (_, i) => `flat/${pad(i)}`)
const WRITTEN = [...FLAT, ...NESTED].sort()

const stack = await startEmbeddedStack()
const config = testConfig(stack.endpoints)
const { s3, ddb } = testClients(config)
const bucket = config.bucket
t.teardown(async () => {
  destroyAwsClients({ s3, ddb })
  await stack.close()
})
await s3.send(new CreateBucketCommand({ Bucket: bucket }))
await putAll(s3, bucket, WRITTEN, 16)

t.test('the stack under test runs without the legacy provider, where s3rver\'s DES token cannot work', async t => {
  t.notMatch(process.execArgv.join(' '), /openssl-legacy-provider/)
  t.notMatch(process.env['NODE_OPTIONS'] ?? '', /openssl-legacy-provider/)
  t.throws(() => createCipheriv('des', Buffer.alloc(8), Buffer.alloc(8)), 'DES is refused in this process')
})

t.test('ListObjectsV2 through the SDK paginator returns every key once, 1,000 to a page', async t => {
  const { keys, pages } = await listV2(s3, { Bucket: bucket })
  t.equal(pages, Math.ceil(WRITTEN.length / 1000))
  assertExactly(t, keys, WRITTEN)
})

t.test('ListObjectsV2 pages of fewer than 1,000 keys (MaxKeys) hold MaxKeys each', async t => {
  const { keys, pages } = await listV2(s3, { Bucket: bucket, MaxKeys: 250 })
  t.equal(pages, Math.ceil(WRITTEN.length / 250))
  assertExactly(t, keys, WRITTEN)
})

t.test('ListObjectsV2 with StartAfter pages through the keys after it', async t => {
  const startAfter = WRITTEN[499]!
  const { keys } = await listV2(s3, { Bucket: bucket, StartAfter: startAfter, MaxKeys: 400 })
  assertExactly(t, keys, WRITTEN.filter(key => key > startAfter))
})

t.test('ListObjectsV2 with a prefix and a delimiter pages the keys and returns every common prefix once', async t => {
  const { keys, prefixes } = await listV2(s3, { Bucket: bucket, Prefix: 'flat/', Delimiter: '/', MaxKeys: 300 })
  assertExactly(t, keys, FLAT)
  assertExactly(t, prefixes, NESTED.map(key => key.slice(0, -'leaf'.length)))
})

t.test('a continuation token is refused by another bucket, and garbage is refused, with 400 not 500', async t => {
  const other = `${bucket}-other`
  await s3.send(new CreateBucketCommand({ Bucket: other }))
  const first = await s3.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 10 }))
  t.ok(first.NextContinuationToken)
  for (const [Bucket, token] of [[other, first.NextContinuationToken], [bucket, 'not-a-token']]) {
    const error = await s3.send(new ListObjectsV2Command({ Bucket, ContinuationToken: token })).catch((err: unknown) => err)
    t.match(error, { name: 'InvalidArgument', $metadata: { httpStatusCode: 400 } })
  }
  const second = await s3.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 10, ContinuationToken: first.NextContinuationToken }))
  t.equal(second.ContinuationToken, first.NextContinuationToken, 'the token is echoed back')
  t.same(second.Contents?.map(object => object.Key), WRITTEN.slice(10, 20))
})

t.test('ListObjects (v1) pages by marker, with and without a delimiter', async t => {
  assertExactly(t, await listV1(s3, bucket, {}), WRITTEN)
  assertExactly(t, await listV1(s3, bucket, { MaxKeys: 250 }), WRITTEN)
  assertExactly(t, await listV1(s3, bucket, { Prefix: 'flat/', Delimiter: '/', MaxKeys: 300 }), FLAT)
})

t.test('the AWS CLI pages through list-objects-v2, with and without a page size', async t => {
  assertExactly(t, await cliKeys(stack.endpoints.s3, bucket, []), WRITTEN)
  assertExactly(t, await cliKeys(stack.endpoints.s3, bucket, ['--page-size', '300', '--prefix', 'flat/', '--delimiter', '/']), FLAT)
})

t.test('`node app` started with no node flags pages its embedded S3 for the SDK and the AWS CLI', async t => {
  const dataDir = await tempDir()
  t.teardown(() => dataDir.remove())
  const [port, s3Port, dynamoPort] = [await freePort(), await freePort(), await freePort()]
  const app = spawnNodeApp({ NODE_OPTIONS: '', PORT: String(port), LOCAL_S3_PORT: String(s3Port), LOCAL_DYNAMODB_PORT: String(dynamoPort), DATA_DIR: dataDir.path, LOG_LEVEL: 'info' })
  t.teardown(() => { app.child.kill('SIGKILL') })
  await waitForLog(app, line => line['mode'] === 'local')
  const endpoint = `http://127.0.0.1:${s3Port}`
  const client = testClients(testConfig({ s3: endpoint, dynamodb: `http://127.0.0.1:${dynamoPort}` })).s3
  t.teardown(() => client.destroy())
  const appBucket = 'image-upload-bucket'
  const keys = ['a', 'b', 'c', 'd', 'e']
  await putAll(client, appBucket, keys, 5)
  const { keys: listed, pages } = await listV2(client, { Bucket: appBucket, MaxKeys: 2 })
  t.equal(pages, 3)
  assertExactly(t, listed, keys)
  assertExactly(t, await cliKeys(endpoint, appBucket, ['--page-size', '2']), keys)
})

async function putAll (s3: S3Client, bucket: string, keys: string[], concurrency: number): Promise<void> {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < keys.length) {
      const key = keys[next++]!
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }))
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
}

async function listV2 (s3: S3Client, input: ListObjectsV2CommandInput): Promise<{ keys: string[], prefixes: string[], pages: number }> {
  const keys: string[] = []
  const prefixes: string[] = []
  let pages = 0
  for await (const page of paginateListObjectsV2({ client: s3, ...(input.MaxKeys && { pageSize: input.MaxKeys }) }, input)) {
    pages += 1
    keys.push(...(page.Contents ?? []).map(object => object.Key!))
    prefixes.push(...(page.CommonPrefixes ?? []).map(prefix => prefix.Prefix!))
    if (pages > 100) throw new Error('the listing does not end')
  }
  return { keys, prefixes, pages }
}

/** ListObjects v1 has no SDK paginator: the next marker is NextMarker (sent only with a delimiter) or the last key. */
async function listV1 (s3: S3Client, bucket: string, input: { Prefix?: string, Delimiter?: string, MaxKeys?: number }): Promise<string[]> {
  const keys: string[] = []
  let marker: string | undefined
  for (let pages = 1; ; pages++) {
    const page = await s3.send(new ListObjectsCommand({ Bucket: bucket, Marker: marker, ...input }))
    keys.push(...(page.Contents ?? []).map(object => object.Key!))
    if (!page.IsTruncated) return keys
    marker = page.NextMarker ?? keys.at(-1)
    if (pages > 100) throw new Error('the listing does not end')
  }
}

async function cliKeys (endpoint: string, bucket: string, args: string[]): Promise<string[]> {
  const env = cleanEnv({
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_PAGER: ''
  })
  const { stdout } = await promisify(execFile)('aws', [
    '--endpoint-url', endpoint, '--output', 'json', 's3api', 'list-objects-v2', '--bucket', bucket, ...args, '--query', 'Contents[].Key'
  ], { env, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 })
  return JSON.parse(stdout) as string[]
}

function assertExactly (t: Test, actual: string[], expected: string[]): void {
  t.equal(actual.length, expected.length, 'as many keys as expected')
  t.equal(new Set(actual).size, actual.length, 'no key twice')
  t.same([...actual].sort(), [...expected].sort(), 'exactly the expected keys')
}
