import { createHash } from 'node:crypto'
import { readDimensions } from '../lib/dimensions.js'
import { errors } from '../lib/errors.js'
import { HEADER_PROBE_LIMIT } from '../lib/image-head.js'
import { SNIFF_BYTES, sniffContentType } from '../lib/sniff.js'
import { IMAGE_KIND } from '../lib/table.js'
import type { ImageItem } from '../services/image-items.js'
import type { ProcessorDeps } from './deps.js'
import { markAdmitted, markRejected } from './item-state.js'
import { deleteObject, fetchObject, fetchObjectHead } from './objects.js'

type Admission = { item: ImageItem, bytes: Buffer } | { refused: string } | { skipped: string }

/**
 * A direct upload (POST /uploads) landed: hold it to the checks POST /upload makes before
 * storing (sniffed type allowed, readable header within the pixel limit) and to the size the
 * grant pinned (a stand-in S3 may not enforce it). The first MiB, from a ranged GET, decides,
 * so a refused file is never downloaded whole; a size the event announces that is not the
 * granted one refuses it before any read. A refused object is deleted and its item marked
 * rejected with the reason (it stays out of the listing and expires by its TTL).
 */
export async function admitDirectUpload (deps: ProcessorDeps, item: ImageItem, announcedSize?: number): Promise<Admission> {
  const { config, s3 } = deps
  if (announcedSize !== undefined && announcedSize !== item.size) return reject(deps, item, wrongSize(announcedSize, item.size))
  const head = await fetchObjectHead(s3, config.bucket, item.key, HEADER_PROBE_LIMIT)
  if (!head) return { skipped: 'the object is gone' }
  const fromHead = await check(item, head, config)
  if (typeof fromHead === 'string') return reject(deps, item, fromHead)

  const whole = await fetchObject(s3, config.bucket, item.key)
  if (!whole) return { skipped: 'the object is gone' }
  // Checked again on the bytes that will be processed: the object may have been replaced since.
  const checked = await check(item, whole, config)
  if (typeof checked === 'string') return reject(deps, item, checked)

  const fields = { ...checked, sha256: createHash('sha256').update(whole.bytes).digest('hex'), kind: IMAGE_KIND }
  if (!await markAdmitted(deps.ddb, config.table, item.id, fields)) return { skipped: 'no longer pending' }
  const { expiresAt, ...rest } = item
  return { item: { ...rest, ...fields, status: 'processing' }, bytes: whole.bytes }
}

async function reject ({ config, s3, ddb }: ProcessorDeps, item: ImageItem, reason: string): Promise<Admission> {
  await deleteObject(s3, config.bucket, item.key)
  await markRejected(ddb, config.table, item.id, reason)
  return { refused: reason }
}

async function check (item: ImageItem, object: { bytes: Buffer, size: number }, rules: { allowedTypes: readonly string[], maxPixels: number }): Promise<string | { contentType: string, width: number, height: number }> {
  if (object.size !== item.size) return wrongSize(object.size, item.size)
  const contentType = await sniffContentType(object.bytes.subarray(0, SNIFF_BYTES))
  if (!rules.allowedTypes.includes(contentType)) return errors.unsupportedType(item.filename, contentType, rules.allowedTypes).message
  const size = readDimensions(object.bytes.subarray(0, HEADER_PROBE_LIMIT))
  if (!size) return errors.unreadableImage(item.filename).message
  if (size.width * size.height > rules.maxPixels) return errors.tooManyPixels(item.filename, size.width, size.height, rules.maxPixels).message
  return { contentType, ...size }
}

const wrongSize = (size: number, granted: number): string =>
  `The file has ${size} bytes, not the ${granted} bytes the upload was granted for.`
