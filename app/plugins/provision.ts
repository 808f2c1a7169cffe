import { CreateBucketCommand, HeadBucketCommand, PutBucketCorsCommand, type S3Client } from '@aws-sdk/client-s3'
import { CreateTableCommand, DescribeTableCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb'
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { tableDefinition } from '../lib/table.js'

/**
 * Creates the bucket and the table when they are missing. Only for stand-ins: on AWS the
 * Pulumi program owns every resource and the service never creates one.
 */
export async function ensureStorage (s3: S3Client, ddb: DynamoDBDocumentClient, names: { bucket: string, table: string }): Promise<void> {
  await Promise.all([ensureBucket(s3, names.bucket), ensureTable(ddb, names.table)])
}

async function ensureBucket (s3: S3Client, bucket: string): Promise<void> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }))
  } catch (err) {
    if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode !== 404) throw err
    await s3.send(new CreateBucketCommand({ Bucket: bucket }))
    // Browsers POST large files straight to the stand-in from the app's pages (another origin).
    // Only on a bucket we just created: an existing bucket's CORS rules are its owner's.
    await s3.send(new PutBucketCorsCommand({
      Bucket: bucket,
      CORSConfiguration: {
        CORSRules: [{ AllowedOrigins: ['*'], AllowedMethods: ['GET', 'HEAD', 'POST'], AllowedHeaders: ['*'], ExposeHeaders: ['ETag'] }]
      }
    }))
  }
}

async function ensureTable (ddb: DynamoDBDocumentClient, table: string): Promise<void> {
  try {
    await ddb.send(new DescribeTableCommand({ TableName: table }))
    return
  } catch (err) {
    if ((err as Error).name !== 'ResourceNotFoundException') throw err
  }
  try {
    await ddb.send(new CreateTableCommand(tableDefinition(table)))
  } catch (err) {
    // Another process created it between our describe and create.
    if ((err as Error).name !== 'ResourceInUseException') throw err
  }
  await waitUntilTableExists({ client: ddb, maxWaitTime: 30, minDelay: 1, maxDelay: 2 }, { TableName: table })
}
