import { CopyObjectCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import type { RenderedVariant } from './render.js'

/**
 * The object's bytes, or undefined when it is gone. They arrive in one buffer of the announced
 * length, filled as the chunks come: the original is held once, never as chunks plus a copy.
 */
export async function fetchObject (s3: S3Client, bucket: string, key: string): Promise<{ bytes: Buffer, size: number } | undefined> {
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
    const bytes = await readBody(object.Body, object.ContentLength)
    return { bytes, size: bytes.length }
  } catch (err) {
    if (await isGone(s3, bucket, key, err)) return undefined
    throw err
  }
}

/**
 * The object's first `limit` bytes, its full size and its ETag, with a ranged GET: enough to
 * check a direct upload's type, header and size without downloading a file that may be refused.
 * Undefined when the object is gone.
 */
export async function fetchObjectHead (s3: S3Client, bucket: string, key: string, limit: number): Promise<{ bytes: Buffer, size: number, eTag?: string } | undefined> {
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=0-${limit - 1}` }))
    // A server that ignores Range sends the whole object: only its first `limit` bytes are read.
    const bytes = await readBody(object.Body, object.ContentLength, limit)
    // "bytes 0-1023/52428800"; without a ContentRange the whole object was sent.
    const total = /\/(\d+)$/.exec(object.ContentRange ?? '')?.[1]
    return { bytes, size: Number(total ?? object.ContentLength ?? bytes.length), ...(object.ETag && { eTag: object.ETag }) }
  } catch (err) {
    if (await isGone(s3, bucket, key, err)) return undefined
    // S3 answers a range on an empty object with 416 InvalidRange.
    if ((err as Error).name === 'InvalidRange' || statusOf(err) === 416) return { bytes: Buffer.alloc(0), size: 0 }
    throw err
  }
}

/**
 * A response body in one buffer of its Content-Length (S3 always sends one), or of `limit` if
 * that is smaller: reading stops there and the rest is never downloaded. A body that ends early
 * or runs past its length is an error (the event is retried), never a short image.
 */
async function readBody (body: unknown, length: number | undefined, limit = Infinity): Promise<Buffer> {
  const chunks = body as AsyncIterable<Uint8Array>
  if (length === undefined) throw new Error('S3 sent no Content-Length')
  const size = Math.min(length, limit)
  const bytes = Buffer.allocUnsafe(size)
  let received = 0
  for await (const chunk of chunks) {
    if (received + chunk.length > length) throw new Error(`the body is longer than its Content-Length ${length}`)
    bytes.set(chunk.subarray(0, size - received), received)
    received += chunk.length
    if (received >= size && size < length) break
  }
  if (received < size) throw new Error(`the body ended after ${received} of ${length} bytes`)
  return bytes
}

export async function objectExists (s3: S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))
    return true
  } catch (err) {
    if (await isGone(s3, bucket, key, err)) return false
    throw err
  }
}

/**
 * Variants are written whole (PutObject) under fixed keys, so a repeated write replaces them
 * with the same bytes. They are immutable for their id: caches may keep them.
 */
export async function putVariant (s3: S3Client, bucket: string, key: string, variant: RenderedVariant): Promise<void> {
  await s3.send(new PutObjectCommand({
    Bucket: bucket,
    Key: key,
    Body: variant.bytes,
    ContentType: variant.contentType,
    CacheControl: 'public, max-age=31536000, immutable'
  }))
}

/**
 * Copies `from` to `to` only while `from` is still the object with this ETag (S3 answers 412 if
 * it was replaced since), setting the given Content-Type. 'changed' or 'gone' copies nothing.
 */
export async function copyIfUnchanged (s3: S3Client, bucket: string, from: string, to: string, expected: { eTag: string, contentType: string }): Promise<'copied' | 'changed' | 'gone'> {
  try {
    await s3.send(new CopyObjectCommand({
      Bucket: bucket,
      Key: to,
      CopySource: `${bucket}/${from}`,
      CopySourceIfMatch: expected.eTag,
      MetadataDirective: 'REPLACE',
      ContentType: expected.contentType
    }))
    return 'copied'
  } catch (err) {
    if ((err as Error).name === 'PreconditionFailed' || statusOf(err) === 412) return 'changed'
    if (await isGone(s3, bucket, from, err)) return 'gone'
    throw err
  }
}

export async function deleteObject (s3: S3Client, bucket: string, key: string): Promise<void> {
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }))
}

/**
 * True when `err` says the object is not there. A 404 does. A 403 may: S3 answers a missing key
 * with 403 when s3:ListBucket does not apply to the request, and the processor's role may list
 * only its own prefixes (an s3:prefix condition that a GET or HEAD does not carry). But a 403 is
 * also a real refusal (a bucket policy, a KMS key), which must fail the event into the
 * dead-letter queue rather than drop it: listing that one key, which the role may do, tells the
 * two apart. A listing that is refused too is a real refusal.
 */
async function isGone (s3: S3Client, bucket: string, key: string, err: unknown): Promise<boolean> {
  const name = (err as Error).name
  const status = statusOf(err)
  if (name === 'NoSuchKey' || name === 'NotFound' || status === 404) return true
  if (status !== 403) return false
  const { Contents } = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, MaxKeys: 1 }))
  return Contents?.[0]?.Key !== key
}

const statusOf = (err: unknown): number | undefined => (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode
