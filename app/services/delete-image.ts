import { DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { DeleteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import type { Config } from '../config.js'
import { hashSecret, secretMatches } from '../lib/delete-token.js'
import { deleteErrors, imageErrors } from '../lib/image-errors.js'
import { incomingKey, originalKey } from '../lib/keys.js'
import { VARIANT_NAMES, variantKey } from '../lib/variants.js'
import { readImageItem, type ImageItem } from './image-items.js'

export interface DeleteRight {
  deleteToken?: string | undefined
  apiKey?: string | undefined
}

export interface DeleteDeps {
  config: Config
  s3: S3Client
  ddb: DynamoDBDocumentClient
}

/**
 * Deletes an image for a caller holding its delete token or the admin key. Order, so that a
 * failure at any step leaves something a retry finishes: (1) the item is marked `deleting` and
 * leaves the index, so reads stop showing it at once and a processor still working on it
 * refuses to finish; (2) the original and every variant go; (3) the item goes last, so until
 * then the same token can repeat the DELETE. An image already gone is 'gone' (a 204 too).
 */
export async function deleteImage ({ config, s3, ddb }: DeleteDeps, id: string, right: DeleteRight): Promise<'deleted' | 'gone'> {
  if (!right.deleteToken && !right.apiKey) throw imageErrors.deleteRightMissing()
  const item = await readImageItem(ddb, config.table, id)
  if (!item) return 'gone'
  if (!mayDelete(item, right, config.adminApiKey)) throw imageErrors.deleteRightWrong()
  try {
    if (!await markDeleting(ddb, config.table, id)) return 'gone'
    // Fixed keys, not a listing: deleting a key that is absent succeeds, and no s3:ListBucket is
    // needed. incoming/: a direct upload deleted while pending (one landing later is a stray the
    // processor deletes).
    const keys = [originalKey(id), incomingKey(id), ...VARIANT_NAMES.map(name => variantKey(id, name))]
    await Promise.all(keys.map(key => s3.send(new DeleteObjectCommand({ Bucket: config.bucket, Key: key }))))
    await ddb.send(new DeleteCommand({ TableName: config.table, Key: { id } }))
  } catch (err) {
    throw Object.assign(deleteErrors.incomplete(), { cause: err })
  }
  return 'deleted'
}

function mayDelete (item: ImageItem, right: DeleteRight, adminApiKey: string | undefined): boolean {
  // Both checks always run: how long this takes does not tell which one failed.
  const byToken = secretMatches(right.deleteToken, item.deleteTokenHash)
  const byKey = adminApiKey !== undefined && secretMatches(right.apiKey, hashSecret(adminApiKey))
  return byToken || byKey
}

async function markDeleting (ddb: DynamoDBDocumentClient, table: string, id: string): Promise<boolean> {
  try {
    await ddb.send(new UpdateCommand({
      TableName: table,
      Key: { id },
      UpdateExpression: 'SET #status = :deleting REMOVE kind',
      ConditionExpression: 'attribute_exists(id)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':deleting': 'deleting' }
    }))
    return true
  } catch (err) {
    if ((err as Error).name === 'ConditionalCheckFailedException') return false
    throw err
  }
}
