import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { errors, AppError } from '../lib/errors.js'
import type { ImageRecord, ImageStatus } from './metadata.js'

/**
 * What the table holds for one image: the record plus fields no read returns. `deleting` marks
 * an image whose objects are being removed: the read side treats it as gone.
 */
export interface ImageItem extends Omit<ImageRecord, 'status' | 'sha256' | 'width' | 'height'> {
  status: ImageStatus | 'deleting'
  sha256?: string
  width?: number
  height?: number
  /** Present while the image is listed (the index's partition key); pending and deleting items have none. */
  kind?: string
  deleteTokenHash?: string
  /** DynamoDB TTL of a pending direct upload. */
  expiresAt?: number
}

/** Strongly consistent: the processor and deletion act on what was just written. */
export async function readImageItem (ddb: DynamoDBDocumentClient, table: string, id: string): Promise<ImageItem | undefined> {
  try {
    const { Item } = await ddb.send(new GetCommand({ TableName: table, Key: { id }, ConsistentRead: true }))
    return Item as ImageItem | undefined
  } catch (err) {
    throw asMetadataError(err)
  }
}

/** An image as clients see it: never the token hash, the index key or the TTL. */
export type PublicImage = Omit<ImageItem, 'deleteTokenHash' | 'kind' | 'expiresAt'>

export function publicRecord (item: ImageItem): PublicImage {
  const { deleteTokenHash, kind, expiresAt, ...record } = item
  return record
}

export function asMetadataError (err: unknown): Error {
  if (err instanceof AppError) return err
  return Object.assign(errors.metadataUnavailable(), { cause: err })
}
