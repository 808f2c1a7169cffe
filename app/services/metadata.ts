import { DeleteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { hashSecret } from '../lib/delete-token.js'
import { errors, AppError } from '../lib/errors.js'
import { IMAGE_KIND } from '../lib/table.js'
import type { VariantName } from '../lib/variants.js'

/**
 * pending: a direct upload granted, its object not yet checked; processing: stored, variants
 * being made; ready: variants made; failed: the image could not be decoded (original kept).
 */
export type ImageStatus = 'pending' | 'processing' | 'ready' | 'failed' | 'rejected'

export interface ImageVariant {
  key: string
  width: number
  height: number
  contentType: string
  size: number
}

export interface ImageRecord {
  id: string
  key: string
  bucket: string
  filename: string
  contentType: string
  size: number
  sha256: string
  width: number
  height: number
  uploadedAt: string
  status: ImageStatus
  variants?: Partial<Record<VariantName, ImageVariant>>
  failureReason?: string
  processedAt?: string
}

/** The upload response: the record and the one-time token that proves the right to delete it. */
export interface UploadedImage extends ImageRecord {
  deleteToken: string
}

/**
 * Writes a new item; the condition makes an id collision fail instead of overwriting. The
 * delete token itself never reaches the table: only its hash, which no read returns.
 */
export async function putImageRecord (ddb: DynamoDBDocumentClient, table: string, record: UploadedImage): Promise<void> {
  const { deleteToken, ...stored } = record
  try {
    await ddb.send(new PutCommand({
      TableName: table,
      Item: { ...stored, kind: IMAGE_KIND, deleteTokenHash: hashSecret(deleteToken) },
      ConditionExpression: 'attribute_not_exists(id)'
    }))
  } catch (err) {
    throw asMetadataError(err)
  }
}

export async function deleteImageRecord (ddb: DynamoDBDocumentClient, table: string, id: string): Promise<void> {
  await ddb.send(new DeleteCommand({ TableName: table, Key: { id } }))
}

function asMetadataError (err: unknown): Error {
  if (err instanceof AppError) return err
  return Object.assign(errors.metadataUnavailable(), { cause: err })
}
