import { DeleteCommand, GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { errors, AppError } from '../lib/errors.js'
import { IMAGE_KIND, LIST_INDEX } from '../lib/table.js'

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
}

/** Writes a new item; the condition makes an id collision fail instead of overwriting. */
export async function putImageRecord (ddb: DynamoDBDocumentClient, table: string, record: ImageRecord): Promise<void> {
  try {
    await ddb.send(new PutCommand({
      TableName: table,
      Item: { ...record, kind: IMAGE_KIND },
      ConditionExpression: 'attribute_not_exists(id)'
    }))
  } catch (err) {
    throw asMetadataError(err)
  }
}

export async function getImageRecord (ddb: DynamoDBDocumentClient, table: string, id: string): Promise<ImageRecord | undefined> {
  try {
    const { Item } = await ddb.send(new GetCommand({ TableName: table, Key: { id } }))
    return Item as ImageRecord | undefined
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

/** Newest first, from the index: never a scan. */
export async function listImageRecords (ddb: DynamoDBDocumentClient, table: string, limit: number): Promise<ImageRecord[]> {
  try {
    const { Items } = await ddb.send(new QueryCommand({
      TableName: table,
      IndexName: LIST_INDEX,
      KeyConditionExpression: 'kind = :kind',
      ExpressionAttributeValues: { ':kind': IMAGE_KIND },
      ScanIndexForward: false,
      Limit: limit
    }))
    return (Items ?? []) as ImageRecord[]
  } catch (err) {
    throw asMetadataError(err)
  }
}
