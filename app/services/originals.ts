import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { DeleteObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import { errors, AppError } from '../lib/errors.js'

export interface StoreOriginalInput {
  bucket: string
  key: string
  contentType: string
  /** Bytes already read while probing the header, stored first. */
  head: Buffer
  /** The rest of the file; its errors (too large, client gone) are the upload's errors. */
  rest: AsyncIterator<Buffer> | undefined
  partSize: number
  queueSize: number
}

export interface StoredOriginal {
  size: number
  sha256: string
}

/**
 * Streams one original into S3 with the managed multipart upload, hashing and counting on the
 * way. Memory stays near partSize x queueSize whatever the file's size. On any failure the
 * multipart upload is aborted (lib-storage does so when leavePartsOnError is false) and the
 * body's own error, not the abort's, is what the caller sees.
 */
export async function storeOriginal (s3: S3Client, input: StoreOriginalInput): Promise<StoredOriginal> {
  const hash = createHash('sha256')
  let size = 0
  let bodyError: unknown

  async function * body (): AsyncGenerator<Buffer> {
    try {
      hash.update(input.head)
      size += input.head.length
      yield input.head
      if (!input.rest) return
      for (let next = await input.rest.next(); !next.done; next = await input.rest.next()) {
        hash.update(next.value)
        size += next.value.length
        yield next.value
      }
    } catch (err) {
      bodyError = err
      throw err
    }
  }

  const upload = new Upload({
    client: s3,
    params: {
      Bucket: input.bucket,
      Key: input.key,
      Body: Readable.from(body(), { objectMode: false }),
      ContentType: input.contentType,
      // Never overwrite: real S3 refuses the write if the key exists (stand-ins ignore it).
      IfNoneMatch: '*'
    },
    partSize: input.partSize,
    queueSize: input.queueSize,
    leavePartsOnError: false
  })
  let putBytes: number | undefined
  upload.on('httpUploadProgress', progress => { if (progress.loaded === progress.total) putBytes = progress.loaded })
  try {
    await upload.done()
  } catch (err) {
    if (bodyError !== undefined) throw bodyError
    if (!isPreconditionFailed(err)) throw asStorageError(err)
    // IfNoneMatch: a write whose reply was lost is retried by the SDK, and S3 answers the retry
    // 412 because the first attempt stored the object. The key is a fresh random id nobody else
    // writes, so the object there is this upload's: check it is whole, then carry on.
    await verifyStored(s3, input.bucket, input.key, size)
    return { size, sha256: hash.digest('hex') }
  }
  // A file that fits in one part went up as one PutObject, and S3 stored exactly the body whose
  // length lib-storage reports: no HeadObject needed. A multipart upload is checked, since a
  // part left out of the completion would shrink the object silently.
  if (size > input.partSize || putBytes !== size) await verifyStored(s3, input.bucket, input.key, size)
  return { size, sha256: hash.digest('hex') }
}

/** A row is written only for a complete object: check S3 holds exactly the bytes we sent. */
async function verifyStored (s3: S3Client, bucket: string, key: string, size: number): Promise<void> {
  let stored: number | undefined
  try {
    stored = (await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).ContentLength
  } catch (err) {
    throw asStorageError(err)
  }
  if (stored !== size) {
    throw new Error(`stored object ${key} has ${String(stored)} bytes, expected ${size}`)
  }
}

export async function deleteOriginal (s3: S3Client, bucket: string, key: string): Promise<void> {
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }))
}

function isPreconditionFailed (err: unknown): boolean {
  const { name, $metadata } = err as { name?: string, $metadata?: { httpStatusCode?: number } }
  return name === 'PreconditionFailed' || $metadata?.httpStatusCode === 412
}

function asStorageError (err: unknown): Error {
  if (err instanceof AppError) return err
  return Object.assign(errors.storageUnavailable(), { cause: err })
}
