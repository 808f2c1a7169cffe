import { createHash } from 'node:crypto'
import { readImageItem, type ImageItem } from '../services/image-items.js'
import type { ImageVariant } from '../services/metadata.js'
import { variantKey, type VariantName } from '../lib/variants.js'
import { openImage, UndecodableImage } from './decode.js'
import type { Outcome, ProcessorDeps } from './deps.js'
import { markFailed, markReady } from './item-state.js'
import { deleteObject, fetchObject, objectExists, putVariant } from './objects.js'
import { renderVariants } from './render.js'
import type { OriginalRef } from './s3-event.js'

/**
 * The item never appeared (or stayed pending: a direct upload being admitted) while its object
 * still exists: worth another delivery later.
 */
export class ItemNotWritten extends Error {
  override name = 'ItemNotWritten'
}

/**
 * Makes the variants of one original and moves its item to ready (or failed). Safe to run
 * twice, or at once for the same image: only an item in `processing` is worked on, and only a
 * conditional update from `processing` records the result. Errors thrown are transient ones
 * (S3 or DynamoDB unavailable, item not written yet): the caller may retry.
 */
export async function processOriginal (deps: ProcessorDeps, ref: OriginalRef): Promise<Outcome> {
  const { config, s3, ddb } = deps
  const base = { id: ref.id, key: ref.key }
  const item = await waitForItem(deps, ref)
  if (item === 'gone') return { ...base, result: 'skipped', detail: 'the object is gone (upload rolled back or image deleted)' }
  if (item.status !== 'processing') return { ...base, result: 'skipped', detail: `already ${item.status}` }

  const original = (await fetchObject(s3, ref.bucket, ref.key))?.bytes
  if (!original) return { ...base, result: 'skipped', detail: 'the object is gone' }
  // POST /upload hashed the stream; a direct upload is hashed here, once, from its original.
  const sha256 = item.sha256 ?? createHash('sha256').update(original).digest('hex')

  let rendered
  try {
    rendered = await renderVariants(await openImage(original, item.contentType, config.maxPixels))
  } catch (err) {
    if (!(err instanceof UndecodableImage)) throw err
    const reason = `The image could not be decoded: ${err.message}.`
    const recorded = await markFailed(ddb, config.table, ref.id, reason, sha256)
    return { ...base, result: recorded ? 'failed' : 'skipped', detail: reason }
  }

  const variants: Partial<Record<VariantName, ImageVariant>> = {}
  await Promise.all(rendered.variants.map(async (variant) => {
    const key = variantKey(ref.id, variant.name)
    await putVariant(s3, config.bucket, key, variant)
    variants[variant.name] = { key, width: variant.width, height: variant.height, contentType: variant.contentType, size: variant.bytes.length }
  }))
  if (await markReady(ddb, config.table, ref.id, { sha256, width: rendered.width, height: rendered.height, variants })) {
    return { ...base, result: 'ready' }
  }
  // Someone else moved the item on. If a DELETE did, the variants just written are orphans.
  const now = await readImageItem(ddb, config.table, ref.id)
  if (!now || now.status === 'deleting') {
    await Promise.all(Object.values(variants).map(variant => deleteObject(s3, config.bucket, variant.key)))
    return { ...base, result: 'skipped', detail: 'deleted while processing' }
  }
  return { ...base, result: 'skipped', detail: `already ${now.status}` }
}

/**
 * The upload path writes the item after the object (a row only for a complete object), and
 * admission marks a direct upload `processing` after its copy, so the event usually arrives
 * first: poll for the item to exist and leave `pending`, backing off, while the object exists.
 */
async function waitForItem ({ config, s3, ddb }: ProcessorDeps, ref: OriginalRef): Promise<ImageItem | 'gone'> {
  const deadline = Date.now() + config.processItemWaitMs
  for (let delay = 25; ; delay = Math.min(delay * 2, 1000)) {
    const item = await readImageItem(ddb, config.table, ref.id)
    if (item && item.status !== 'pending') return item
    if (!await objectExists(s3, ref.bucket, ref.key)) return 'gone'
    if (Date.now() + delay > deadline) {
      throw new ItemNotWritten(`no item out of pending for ${ref.key} after ${config.processItemWaitMs} ms`)
    }
    await new Promise(resolve => setTimeout(resolve, delay))
  }
}
