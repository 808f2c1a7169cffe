import { createHash } from 'node:crypto'
import { DeleteObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { errors, AppError } from '../lib/errors.js'
import { uploadParts } from './multipart-upload.js'

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
 * Streams one original into S3, hashing and counting on the way. Up to one part is read
 * first: a file that fits in it (most images) goes up as one PutObject of a Buffer, as
 * lib-storage would send it but without its stream plumbing, with our sha256 as the signed
 * payload hash and S3's checksum (the SDK hashes neither again). A larger file continues as a
 * multipart upload, memory near partSize x (queueSize + 1) whatever its size. On any failure
 * the multipart upload is aborted and the body's own error, not the abort's, is what the caller sees.
 */
export async function storeOriginal (s3: S3Client, input: StoreOriginalInput): Promise<StoredOriginal> {
  const hash = createHash('sha256')
  const first: Buffer[] = [input.head]
  let size = input.head.length
  hash.update(input.head)
  let rest = input.rest
  while (rest && size <= input.partSize) {
    const next = await rest.next()
    if (next.done) {
      rest = undefined
    } else {
      hash.update(next.value)
      size += next.value.length
      first.push(next.value)
    }
  }
  if (!rest) {
    const sha256 = hash.digest()
    await putWhole(s3, input, Buffer.concat(first, size), sha256)
    return { size, sha256: sha256.toString('hex') }
  }
  let bodyError: unknown
  const next = async (): Promise<Buffer | undefined> => {
    try {
      const chunk = await rest.next()
      if (chunk.done) return undefined
      hash.update(chunk.value)
      return chunk.value
    } catch (err) {
      bodyError = err
      throw err
    }
  }
  let total: number
  try {
    total = await uploadParts(s3, input, first, next)
  } catch (err) {
    if (bodyError !== undefined) throw bodyError
    throw asStorageError(err)
  }
  // A part left out of the completion would shrink the object silently.
  await verifyStored(s3, input.bucket, input.key, total)
  return { size: total, sha256: hash.digest('hex') }
}

/** S3 checks the body against `sha256` twice: as the signed payload hash and as the object's checksum. */
async function putWhole (s3: S3Client, input: StoreOriginalInput, body: Buffer, sha256: Buffer): Promise<void> {
  const command = new PutObjectCommand({
    Bucket: input.bucket,
    Key: input.key,
    Body: body,
    ContentLength: body.length,
    ContentType: input.contentType,
    ChecksumSHA256: sha256.toString('base64'),
    // Never overwrite: real S3 refuses the write if the key exists (stand-ins ignore it).
    IfNoneMatch: '*'
  })
  const payloadHash = sha256.toString('hex')
  // The signer hashes a Buffer body unless this header is already set (smithy's getPayloadHash).
  command.middlewareStack.add(next => async args => {
    (args.request as { headers: Record<string, string> }).headers['x-amz-content-sha256'] = payloadHash
    return await next(args)
  }, { step: 'build', name: 'knownPayloadHash' })
  try {
    await s3.send(command)
  } catch (err) {
    throw asStorageError(err)
  }
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

function asStorageError (err: unknown): Error {
  if (err instanceof AppError) return err
  return Object.assign(errors.storageUnavailable(), { cause: err })
}
