import { createHash } from 'node:crypto'
import type { Readable } from 'node:stream'
import { DeleteObjectsCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3'
import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'

/** Checks that make a broken run fail loudly instead of reporting a number. */
export function expect (condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`check failed: ${message}`)
}

/** sha256 of a stored object, streamed (a 1 GiB object is never held in memory). */
export async function storedSha256 (s3: S3Client, bucket: string, key: string): Promise<string> {
  const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
  const hash = createHash('sha256')
  for await (const chunk of Body as Readable) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

export async function storedSize (s3: S3Client, bucket: string, key: string): Promise<number | undefined> {
  return (await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).ContentLength
}

/** Every key in the bucket, paging 1000 at a time, at most `maxPages` pages. */
export async function listAllKeys (s3: S3Client, bucket: string, maxPages = 20): Promise<string[]> {
  const keys: string[] = []
  let token: string | undefined
  for (let page = 0; page < maxPages; page++) {
    const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }))
    keys.push(...(out.Contents ?? []).map(object => object.Key!))
    token = out.NextContinuationToken
    if (!token) return keys
  }
  throw new Error(`${bucket} has more than ${maxPages} pages of objects`)
}

/** Empties a bucket, so the next measurement can count exactly what it wrote (and disk stays free). */
export async function emptyBucket (s3: S3Client, bucket: string): Promise<void> {
  const keys = await listAllKeys(s3, bucket)
  for (let i = 0; i < keys.length; i += 1000) {
    await s3.send(new DeleteObjectsCommand({
      Bucket: bucket,
      Delete: { Objects: keys.slice(i, i + 1000).map(Key => ({ Key })), Quiet: true }
    }))
  }
}

/** How many of these ids have an item in the table. */
export async function countItems (ddb: DynamoDBDocumentClient, table: string, ids: string[]): Promise<number> {
  let found = 0
  for (let i = 0; i < ids.length; i += 100) {
    let keys: Array<Record<string, unknown>> = ids.slice(i, i + 100).map(id => ({ id }))
    for (let attempt = 0; keys.length > 0 && attempt < 10; attempt++) {
      const out = await ddb.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: keys, ProjectionExpression: 'id' } } }))
      found += out.Responses?.[table]?.length ?? 0
      keys = out.UnprocessedKeys?.[table]?.Keys ?? []
    }
  }
  return found
}

/**
 * After a measurement: the bucket holds exactly `keys`, every id has its item (unless the
 * contender writes none), and one
 * sampled object has the expected size and (when `readBack`) the expected sha256. Then the
 * bucket is emptied for the next measurement.
 */
export async function verifyStored (clients: { s3: S3Client, ddb: DynamoDBDocumentClient }, target: { bucket: string, table: string },
  keys: string[], expected: { size: number, sha256: string, readBack: boolean, items: boolean }): Promise<void> {
  const stored = new Set(await listAllKeys(clients.s3, target.bucket))
  expect(stored.size === keys.length, `${target.bucket} holds ${stored.size} objects, expected ${keys.length}`)
  expect(keys.every(key => stored.has(key)), `${target.bucket} is missing objects that were acknowledged`)
  const ids = keys.map(key => key.slice(key.lastIndexOf('/') + 1))
  const items = expected.items ? await countItems(clients.ddb, target.table, ids) : ids.length
  expect(items === ids.length, `${target.table} has ${items} of ${ids.length} items`)
  const sample = keys[Math.floor(keys.length / 2)]!
  const size = await storedSize(clients.s3, target.bucket, sample)
  expect(size === expected.size, `${target.bucket}/${sample} has ${size} bytes, expected ${expected.size}`)
  if (expected.readBack) {
    const sha = await storedSha256(clients.s3, target.bucket, sample)
    expect(sha === expected.sha256, `${target.bucket}/${sample} sha256 ${sha}, expected ${expected.sha256}`)
  }
  await emptyBucket(clients.s3, target.bucket)
}
