import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { encodeCursor, type ListCursor } from '../lib/cursor.js'
import { IMAGE_KIND, LIST_INDEX } from '../lib/table.js'
import { asMetadataError, publicRecord, type ImageItem, type PublicImage } from './image-items.js'

export interface ImagePage {
  images: PublicImage[]
  nextCursor?: string
}

/**
 * One page of images, newest first, from the index (a Query, never a scan). It asks for one
 * item more than the page holds, so nextCursor appears only when another page really exists.
 */
export async function listImagePage (ddb: DynamoDBDocumentClient, table: string, options: { limit: number, after?: ListCursor | undefined }): Promise<ImagePage> {
  let items: ImageItem[]
  try {
    const { Items } = await ddb.send(new QueryCommand({
      TableName: table,
      IndexName: LIST_INDEX,
      KeyConditionExpression: 'kind = :kind',
      ExpressionAttributeValues: { ':kind': IMAGE_KIND },
      ScanIndexForward: false,
      Limit: options.limit + 1,
      ...(options.after && { ExclusiveStartKey: { ...options.after } })
    }))
    items = (Items ?? []) as ImageItem[]
  } catch (err) {
    throw asMetadataError(err)
  }
  const page = items.slice(0, options.limit)
  const last = page.at(-1)
  // The key of the page's last item is exactly the LastEvaluatedKey DynamoDB would return there.
  const nextCursor = items.length > options.limit && last
    ? encodeCursor({ id: last.id, kind: IMAGE_KIND, uploadedAt: last.uploadedAt })
    : undefined
  return { images: page.map(publicRecord), ...(nextCursor && { nextCursor }) }
}
