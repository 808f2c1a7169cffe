import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3'
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { IMAGE_KIND, LIST_INDEX } from '../lib/table.js'

export interface ListedObject {
  key: string
  lastModified: Date
}

/** Every object under `prefix`, page by page (`pageSize` is for tests; S3 pages hold up to 1,000). */
export async function * listObjects (s3: S3Client, bucket: string, prefix: string, pageSize = 1000): AsyncGenerator<ListedObject> {
  let token: string | undefined
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: pageSize, ContinuationToken: token }))
    for (const object of page.Contents ?? []) {
      if (object.Key) yield { key: object.Key, lastModified: object.LastModified ?? new Date(0) }
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined
  } while (token)
}

/**
 * The id of every image in the listing index, page by page: a Query, never a Scan (the reconcile
 * role may only Query). Pending direct uploads have no `kind` yet and are not listed here.
 */
export async function * listImageIds (ddb: DynamoDBDocumentClient, table: string, pageSize?: number): AsyncGenerator<string> {
  let start: Record<string, unknown> | undefined
  do {
    const page = await ddb.send(new QueryCommand({
      TableName: table,
      IndexName: LIST_INDEX,
      KeyConditionExpression: 'kind = :kind',
      ExpressionAttributeValues: { ':kind': IMAGE_KIND },
      ProjectionExpression: 'id',
      ExclusiveStartKey: start,
      ...(pageSize && { Limit: pageSize })
    }))
    for (const item of page.Items ?? []) yield String(item['id'])
    start = page.LastEvaluatedKey
  } while (start)
}
