import type { Readable } from 'node:stream'
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { AppError, errors } from '../lib/errors.js'
import { decodeBudgetProblem } from '../lib/decode-budget.js'
import { HEADER_PROBE_LIMIT, storedImageDimensions } from '../lib/image-head.js'
import { checkStructure, hasStructureCheck } from '../lib/image-structure.js'
import { SNIFF_BYTES, sniffContentType } from '../lib/sniff.js'
import { IMAGE_KIND } from '../lib/table.js'
import { readImageItem, type ImageItem } from '../services/image-items.js'
import type { Outcome, ProcessorDeps } from './deps.js'
import { markAdmitted, markRejected } from './item-state.js'
import { copyIfUnchanged, deleteObject, fetchObjectHead } from './objects.js'
import type { OriginalRef } from './s3-event.js'

/**
 * A direct upload (POST /uploads) landed under incoming/: hold it to the checks POST /upload
 * makes before storing (sniffed type allowed, readable header within the pixel limit) and to
 * the size the grant pinned (a stand-in S3 may not enforce it). The first MiB, from a ranged
 * GET, decides, so a refused file is never downloaded whole (a header the file places further
 * on, such as a TIFF directory after the pixels, is read by a second ranged GET from there); a
 * size the event announces that is not the granted one refuses it before any read. A file whose
 * header passes is then walked whole, streamed from S3, as POST /upload walks it: a valid header
 * followed by anything else (a script, another file) is refused rather than hosted.
 *
 * An accepted file is copied to originals/ (only if it is still the object that was checked)
 * and its item becomes `processing`; the copy's own event then makes the variants, the same
 * way as for POST /upload. A refused file is deleted and its item marked `rejected` with the
 * reason (it stays out of the listing and expires by its TTL). Whatever lands here without a
 * pending item (the grant used again after admission, or after a DELETE) is deleted.
 */
export async function admitDirectUpload (deps: ProcessorDeps, ref: OriginalRef): Promise<Outcome> {
  const { config, s3, ddb } = deps
  const skipped = (detail: string): Outcome => ({ id: ref.id, key: ref.key, result: 'skipped', detail })
  const item = await readImageItem(ddb, config.table, ref.id)
  if (item?.status !== 'pending') {
    await deleteObject(s3, config.bucket, ref.key)
    return skipped(`stray upload deleted: ${item ? `the image is ${item.status}` : 'no pending upload has this id'}`)
  }
  if (ref.size !== undefined && ref.size !== item.size) return reject(deps, ref, item, wrongSize(ref.size, item.size))

  const head = await fetchObjectHead(s3, config.bucket, ref.key, HEADER_PROBE_LIMIT)
  if (!head) return skipped('the upload is gone')
  const checked = await check(item, head, config, (offset) => readObjectFrom(s3, config.bucket, ref.key, offset, head.eTag))
  if (typeof checked === 'string') return reject(deps, ref, item, checked)
  if (!head.eTag) throw new Error(`S3 sent no ETag for ${ref.key}`)

  const copied = await copyIfUnchanged(s3, config.bucket, ref.key, item.key, { eTag: head.eTag, contentType: checked.contentType })
  if (copied === 'changed') return skipped('the upload was replaced while it was checked: the new object\'s own event decides')
  if (copied === 'gone') return skipped('the upload is gone')

  if (!await markAdmitted(ddb, config.table, item.id, { ...checked, kind: IMAGE_KIND })) {
    // Another delivery admitted it (its original stays), or a DELETE came in between (the
    // copy just made would be an orphan).
    const now = await readImageItem(ddb, config.table, item.id)
    if (!now || now.status === 'deleting') await deleteObject(s3, config.bucket, item.key)
    await deleteObject(s3, config.bucket, ref.key)
    return skipped(`no longer pending: ${now ? now.status : 'deleted'}`)
  }
  await deleteObject(s3, config.bucket, ref.key)
  return { id: ref.id, key: ref.key, result: 'admitted', detail: `moved to ${item.key}` }
}

async function reject ({ config, s3, ddb }: ProcessorDeps, ref: OriginalRef, item: ImageItem, reason: string): Promise<Outcome> {
  await deleteObject(s3, config.bucket, ref.key)
  const recorded = await markRejected(ddb, config.table, item.id, reason)
  return { id: ref.id, key: ref.key, result: recorded ? 'refused' : 'skipped', detail: reason }
}

async function check (
  item: ImageItem,
  object: { bytes: Buffer, size: number },
  rules: { allowedTypes: readonly string[], maxPixels: number },
  readFrom: (offset: number) => AsyncIterable<Buffer>
): Promise<string | { contentType: string, width: number, height: number }> {
  if (object.size !== item.size) return wrongSize(object.size, item.size)
  const contentType = await sniffContentType(object.bytes.subarray(0, SNIFF_BYTES))
  if (!rules.allowedTypes.includes(contentType)) return errors.unsupportedType(item.filename, contentType, rules.allowedTypes).message
  try {
    const pixelRules = { filename: item.filename, maxPixels: rules.maxPixels }
    const dimensions = await storedImageDimensions(contentType, { first: object.bytes, size: object.size }, pixelRules, readFrom)
    const costly = decodeBudgetProblem({ contentType, head: object.bytes, ...dimensions, fileBytes: object.size })
    if (costly) return errors.decodeTooCostly(item.filename, costly).message
    const rest = object.size > object.bytes.length ? readFrom(object.bytes.length) : undefined
    const broken = await structureProblem(contentType, object.bytes, rest)
    if (broken) return errors.corruptImage(item.filename, contentType, broken).message
    return { contentType, ...dimensions }
  } catch (err) {
    if (err instanceof AppError) return err.message
    throw err
  }
}

/**
 * The problem the streaming structure walk finds in the whole file, if any: the first MiB already
 * read, then the rest streamed from S3. Memory stays bounded.
 */
async function structureProblem (contentType: string, first: Buffer, rest: AsyncIterable<Buffer> | undefined): Promise<string | undefined> {
  if (!hasStructureCheck(contentType)) return undefined
  const structure = checkStructure(contentType)
  const early = structure.push(first)
  if (early) return early
  for await (const chunk of rest ?? []) {
    const problem = structure.push(chunk)
    if (problem) return problem
  }
  return structure.end()
}

/**
 * The object from `offset` on, for a header the first MiB did not hold (a TIFF directory after
 * the pixels): the reader stops it as soon as it has the header. It must still be the object
 * whose first MiB was checked; if it was replaced, the error is retried and the new object checked.
 * A server that ignores Range sends the whole object: its first `offset` bytes are passed over.
 */
async function * readObjectFrom (s3: S3Client, bucket: string, key: string, offset: number, eTag: string | undefined): AsyncGenerator<Buffer> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${offset}-`, ...(eTag && { IfMatch: eTag }) }))
  const body = object.Body as Readable
  const ranged = object.ContentRange !== undefined
  if ((eTag && object.ETag !== eTag) || (ranged && !object.ContentRange!.startsWith(`bytes ${offset}-`))) {
    body.destroy()
    throw new Error(`${key} changed while its header was read, or S3 sent another range (${String(object.ContentRange)})`)
  }
  let skip = ranged ? 0 : offset
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (skip >= chunk.length) {
      skip -= chunk.length
      continue
    }
    yield skip > 0 ? chunk.subarray(skip) : chunk
    skip = 0
  }
}

const wrongSize = (size: number, granted: number): string =>
  `The file has ${size} bytes, not the ${granted} bytes the upload was granted for.`
