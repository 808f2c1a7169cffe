import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, UploadPartCommand,
  type CompletedPart, type S3Client
} from '@aws-sdk/client-s3'

export interface PartsTarget {
  bucket: string
  key: string
  contentType: string
  partSize: number
  queueSize: number
}

/** S3's limit on the parts of one upload. */
const MAX_PARTS = 10_000

/**
 * Part buffers kept between uploads (at most queueSize + 1, one part size): filling fresh
 * memory costs the kernel a page fault per 4 KiB, more CPU than the copy itself. Only
 * subarray(0, filled) of a buffer is ever sent, so old bytes never leave the process.
 */
const sparePartBuffers: Buffer[] = []
const takePartBuffer = (size: number): Buffer => {
  const spare = sparePartBuffers.pop()
  return spare?.length === size ? spare : Buffer.allocUnsafeSlow(size)
}
const givePartBuffer = (buffer: Buffer, keep: number): void => {
  if (sparePartBuffers.length < keep) sparePartBuffers.push(buffer)
}

/**
 * A multipart upload like lib-storage's (same requests, checksums and IfNoneMatch), but parts
 * are filled into at most queueSize + 1 buffers that are reused: lib-storage concatenates every
 * part into fresh memory, and touching fresh pages cost more CPU than the rest of a large upload
 * (bench/results.md). A buffer is reused only after its UploadPart succeeded. On any failure
 * the upload is aborted after the parts in flight settle, and the first error is thrown (the
 * caller tells the body's errors from S3's). Returns the bytes sent.
 */
export async function uploadParts (s3: S3Client, target: PartsTarget, first: Buffer[], next: () => Promise<Buffer | undefined>): Promise<number> {
  const { bucket: Bucket, key: Key, contentType: ContentType, partSize, queueSize } = target
  // As lib-storage does: with the SDK's default checksums every part carries a CRC32, declared here.
  const checksums = await s3.config.requestChecksumCalculation() === 'WHEN_SUPPORTED'
  const { UploadId: uploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key, ContentType, ...(checksums && { ChecksumAlgorithm: 'CRC32' }) }))
  const parts: CompletedPart[] = []
  const inFlight = new Set<Promise<void>>()
  const free: Buffer[] = []
  let partError: unknown
  let size = 0
  const send = (PartNumber: number, buffer: Buffer, length: number): void => {
    if (PartNumber > MAX_PARTS) throw new Error(`${Key} would need more than ${MAX_PARTS} parts`)
    const sending = s3.send(new UploadPartCommand({ Bucket, Key, UploadId: uploadId, PartNumber, Body: buffer.subarray(0, length) }))
      .then(({ ETag, ChecksumCRC32, ChecksumCRC32C, ChecksumSHA1, ChecksumSHA256 }) => {
        if (!ETag) throw new Error(`part ${PartNumber} of ${Key} came back without an ETag`)
        parts.push({ PartNumber, ETag, ChecksumCRC32, ChecksumCRC32C, ChecksumSHA1, ChecksumSHA256 })
        free.push(buffer)
      })
      .catch((err: unknown) => { partError ??= err })
      .finally(() => inFlight.delete(sending))
    inFlight.add(sending)
  }
  // Not sent yet, so never in flight: returned to the pool whatever happens.
  let buffer: Buffer | undefined = free.pop() ?? takePartBuffer(partSize)
  try {
    let partNumber = 1
    let filled = 0
    const take = (chunk: Buffer): void => {
      for (let at = 0; at < chunk.length;) {
        buffer ??= free.pop() ?? takePartBuffer(partSize)
        const n = chunk.copy(buffer, filled, at)
        filled += n
        at += n
        if (filled === partSize) {
          const full = buffer
          buffer = undefined
          send(partNumber++, full, filled)
          filled = 0
        }
      }
    }
    for (const chunk of first) take(chunk)
    size = first.reduce((total, chunk) => total + chunk.length, 0)
    for (;;) {
      while (inFlight.size >= queueSize) await Promise.race(inFlight)
      if (partError !== undefined) throw partError
      const chunk = await next()
      if (!chunk) break
      size += chunk.length
      take(chunk)
    }
    if (buffer && filled > 0) {
      const last = buffer
      buffer = undefined
      send(partNumber, last, filled)
    }
    await Promise.all(inFlight)
    if (partError !== undefined) throw partError
    parts.sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0))
    await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId: uploadId, MultipartUpload: { Parts: parts }, IfNoneMatch: '*' }))
  } catch (err) {
    await Promise.allSettled(inFlight)
    // Best effort, like lib-storage's: the caller's rollback deletes the key as well.
    await s3.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId: uploadId })).catch(() => {})
    throw err
  } finally {
    // Only buffers whose part succeeded (or never went out): a failed send may still hold its buffer.
    for (const done of buffer ? [buffer, ...free] : free) givePartBuffer(done, queueSize + 1)
  }
  return size
}
