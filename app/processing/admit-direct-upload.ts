import { createHash } from 'node:crypto'
import { readDimensions } from '../lib/dimensions.js'
import { errors } from '../lib/errors.js'
import { HEADER_PROBE_LIMIT } from '../lib/image-head.js'
import { SNIFF_BYTES, sniffContentType } from '../lib/sniff.js'
import { IMAGE_KIND } from '../lib/table.js'
import type { ImageItem } from '../services/image-items.js'
import type { ProcessorDeps } from './deps.js'
import { markAdmitted, markFailed } from './item-state.js'
import { deleteObject } from './objects.js'

/**
 * A direct upload (POST /uploads) landed: hold it to the checks POST /upload makes before
 * storing (sniffed type allowed, readable header within the pixel limit) and to the size the
 * grant pinned (a stand-in S3 may not enforce it). A refused object is deleted and its item
 * marked failed with the reason (it stays out of the listing and expires by its TTL).
 */
export async function admitDirectUpload ({ config, s3, ddb }: ProcessorDeps, item: ImageItem, bytes: Buffer): Promise<{ item?: ImageItem } | { refused: string }> {
  const checked = await check(item, bytes, config)
  if (typeof checked === 'string') {
    await deleteObject(s3, config.bucket, item.key)
    await markFailed(ddb, config.table, item.id, 'pending', checked)
    return { refused: checked }
  }
  const fields = { ...checked, sha256: createHash('sha256').update(bytes).digest('hex'), kind: IMAGE_KIND }
  if (!await markAdmitted(ddb, config.table, item.id, fields)) return {}
  const { expiresAt, ...rest } = item
  return { item: { ...rest, ...fields, status: 'processing' } }
}

async function check (item: ImageItem, bytes: Buffer, rules: { allowedTypes: readonly string[], maxPixels: number }): Promise<string | { contentType: string, width: number, height: number }> {
  if (bytes.length !== item.size) {
    return `The file has ${bytes.length} bytes, not the ${item.size} bytes the upload was granted for.`
  }
  const contentType = await sniffContentType(bytes.subarray(0, SNIFF_BYTES))
  if (!rules.allowedTypes.includes(contentType)) return errors.unsupportedType(item.filename, contentType, rules.allowedTypes).message
  const size = readDimensions(bytes.subarray(0, HEADER_PROBE_LIMIT))
  if (!size) return errors.unreadableImage(item.filename).message
  if (size.width * size.height > rules.maxPixels) return errors.tooManyPixels(item.filename, size.width, size.height, rules.maxPixels).message
  return { contentType, ...size }
}
