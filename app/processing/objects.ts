import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import type { RenderedVariant } from './render.js'

/** The object's bytes, or undefined when it is gone. */
export async function fetchObject (s3: S3Client, bucket: string, key: string): Promise<{ bytes: Buffer, size: number } | undefined> {
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
    const bytes = Buffer.from(await object.Body!.transformToByteArray())
    return { bytes, size: bytes.length }
  } catch (err) {
    if (isMissing(err)) return undefined
    throw err
  }
}

export async function objectExists (s3: S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))
    return true
  } catch (err) {
    if (isMissing(err)) return false
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

export async function deleteObject (s3: S3Client, bucket: string, key: string): Promise<void> {
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }))
}

/**
 * 404, or 403: without s3:ListBucket, S3 answers a missing key with 403, and the processor's
 * role has no business listing the bucket.
 */
function isMissing (err: unknown): boolean {
  const name = (err as Error).name
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode
  return name === 'NoSuchKey' || name === 'NotFound' || status === 404 || status === 403
}
