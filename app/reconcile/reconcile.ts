import { DeleteObjectCommand } from '@aws-sdk/client-s3'
import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb'
import { incomingKey, originalKey } from '../lib/keys.js'
import type { AwsClients } from '../plugins/aws-clients.js'
import { objectExists } from '../processing/objects.js'
import { listImageIds, listObjects, type ListedObject } from './listing.js'

const ORIGINALS = originalKey('')
const INCOMING = incomingKey('')
/** The processor writes an image's variants under processed/<id>/. */
const VARIANTS = 'processed/'

export interface ReconcileOptions {
  bucket: string
  table: string
  /** Objects younger than this are left alone: their upload may still be about to write its item. */
  graceMs: number
  /** Report what would be removed, remove nothing. */
  dryRun: boolean
  /** Epoch ms taken as now (tests move it forward instead of waiting an hour). */
  now?: number
  /** Listing page size (tests use tiny pages to go through pagination). */
  pageSize?: number
}

export interface ReconcileReport {
  dryRun: boolean
  checked: { originals: number, images: number, variantSets: number, directUploads: number }
  /** Originals older than the grace period with no item: a crash between the object and its item. */
  orphanOriginals: string[]
  /** Image ids whose original is gone: the item and its variants are removed. */
  imagesWithoutOriginal: string[]
  /** Variants older than the grace period whose image has no item. */
  orphanVariants: string[]
  /** Images a DELETE left half done (item marked deleting, objects still there): finished now. */
  unfinishedDeletes: string[]
  /**
   * Direct uploads under incoming/ older than the grace period that the processor will never
   * move: no pending item (its events were lost), or one past its expiry. In AWS a lifecycle
   * rule removes them too; DynamoDB Local and dynalite enforce no TTL, so locally only this does.
   */
  strayUploads: string[]
  /** What could not be checked or removed; the next run tries again. */
  failures: Array<{ target: string, error: string }>
}

/**
 * Finds what a crash or a failed rollback can leave behind and removes it. Lists come from S3
 * and the listing index; before anything is removed, its counterpart is looked up once more
 * directly (consistent GetItem, HeadObject), so an upload that finished after the listing, or a
 * pending direct upload (not in the index), is never touched. Orphaned originals are removed,
 * not repaired: their upload was never acknowledged to the client.
 */
export async function reconcile ({ s3, ddb }: AwsClients, options: ReconcileOptions): Promise<ReconcileReport> {
  const { bucket, table, dryRun, pageSize } = options
  const cutoff = (options.now ?? Date.now()) - options.graceMs
  const report: ReconcileReport = { dryRun, checked: { originals: 0, images: 0, variantSets: 0, directUploads: 0 }, orphanOriginals: [], imagesWithoutOriginal: [], orphanVariants: [], unfinishedDeletes: [], strayUploads: [], failures: [] }
  const attempt = async (target: string, work: () => Promise<void>): Promise<void> => {
    try {
      await work()
    } catch (err) {
      report.failures.push({ target, error: `${(err as Error).name}: ${(err as Error).message}` })
    }
  }
  const nowSeconds = (options.now ?? Date.now()) / 1000
  /**
   * The item's status: a consistent read, never the index. 'none' when there is no item, and
   * 'none' too for an item past its TTL, which DynamoDB deletes when it gets to it (and the
   * local stand-ins never do): a pending direct upload whose admission broke off after the copy.
   */
  const itemStatus = async (id: string): Promise<string> => {
    const { Item } = await ddb.send(new GetCommand({ TableName: table, Key: { id }, ConsistentRead: true, ProjectionExpression: 'id, #status, expiresAt', ExpressionAttributeNames: { '#status': 'status' } }))
    if (!Item || (typeof Item['expiresAt'] === 'number' && Item['expiresAt'] <= nowSeconds)) return 'none'
    return String(Item['status'])
  }
  const deleteObject = (key: string) => s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }))

  const originals = new Map<string, ListedObject>()
  for await (const object of listObjects(s3, bucket, ORIGINALS, pageSize)) originals.set(object.key.slice(ORIGINALS.length), object)
  const images = new Set<string>()
  for await (const id of listImageIds(ddb, table, pageSize)) images.add(id)
  const variants = new Map<string, { keys: string[], newest: number }>()
  await attempt(VARIANTS, async () => {
    for await (const object of listObjects(s3, bucket, VARIANTS, pageSize)) {
      const id = object.key.slice(VARIANTS.length).split('/')[0] ?? ''
      const set = variants.get(id) ?? { keys: [], newest: 0 }
      set.keys.push(object.key)
      set.newest = Math.max(set.newest, object.lastModified.getTime())
      variants.set(id, set)
    }
  })
  const directUploads: ListedObject[] = []
  await attempt(INCOMING, async () => {
    for await (const object of listObjects(s3, bucket, INCOMING, pageSize)) directUploads.push(object)
  })
  report.checked = { originals: originals.size, images: images.size, variantSets: variants.size, directUploads: directUploads.length }

  for (const [id, object] of originals) {
    if (images.has(id) || object.lastModified.getTime() > cutoff) continue
    await attempt(object.key, async () => {
      const status = await itemStatus(id)
      if (status === 'deleting') {
        // A DELETE that failed half way hid the image (out of the index) and was never retried.
        report.unfinishedDeletes.push(id)
        const keys = [object.key, ...variants.get(id)?.keys ?? []]
        variants.delete(id)
        if (dryRun) return
        for (const key of keys) await deleteObject(key)
        await ddb.send(new DeleteCommand({ TableName: table, Key: { id } }))
        return
      }
      if (status !== 'none') return
      report.orphanOriginals.push(object.key)
      if (!dryRun) await deleteObject(object.key)
    })
  }

  for (const id of images) {
    if (originals.has(id)) continue
    await attempt(id, async () => {
      if (await originalExists(id)) return
      report.imagesWithoutOriginal.push(id)
      if (dryRun) return
      await ddb.send(new DeleteCommand({ TableName: table, Key: { id } }))
      for (const key of variants.get(id)?.keys ?? []) await deleteObject(key)
    })
  }

  for (const [id, set] of variants) {
    if (images.has(id) || set.newest > cutoff) continue
    await attempt(`${VARIANTS}${id}/`, async () => {
      const status = await itemStatus(id)
      if (status !== 'none' && status !== 'deleting') return
      if (status === 'deleting') report.unfinishedDeletes.push(id)
      else report.orphanVariants.push(...set.keys)
      if (dryRun) return
      for (const key of set.keys) await deleteObject(key)
      if (status === 'deleting') await ddb.send(new DeleteCommand({ TableName: table, Key: { id } }))
    })
  }
  for (const object of directUploads) {
    if (object.lastModified.getTime() > cutoff) continue
    await attempt(object.key, async () => {
      if (await itemStatus(object.key.slice(INCOMING.length)) === 'pending') return
      report.strayUploads.push(object.key)
      if (!dryRun) await deleteObject(object.key)
    })
  }
  return report

  /**
   * HeadObject, read as the processor reads it: 404 is missing, and so is a 403 when listing that
   * one key finds nothing (S3 answers a missing key 403 when s3:ListBucket does not apply to the
   * request, as here: the role may list only with an s3:prefix, which a HEAD does not carry). A
   * 403 for a key that is there stays an error: "missing" deletes the image's item and variants.
   */
  function originalExists (id: string): Promise<boolean> {
    return objectExists(s3, bucket, originalKey(id))
  }
}
