import { createHash } from 'node:crypto'
import { GetObjectCommand, ListObjectsV2Command, UploadPartCommand, type S3Client } from '@aws-sdk/client-s3'
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import type { Config } from '../../app/config.js'
import type { AwsClients } from '../../app/plugins/aws-clients.js'

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

export async function listKeys (s3: S3Client, bucket: string): Promise<string[]> {
  const { Contents } = await s3.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1000 }))
  return (Contents ?? []).map(object => object.Key!).sort()
}

export async function readObject (s3: S3Client, bucket: string, key: string): Promise<{ bytes: Buffer, contentType: string | undefined }> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
  return { bytes: Buffer.from(await object.Body!.transformToByteArray()), contentType: object.ContentType }
}

/** Every item in the table: a scan, which only tests may do. */
export async function scanItems (ddb: DynamoDBDocumentClient, table: string): Promise<Array<Record<string, unknown>>> {
  const { Items } = await ddb.send(new ScanCommand({ TableName: table, ConsistentRead: true }))
  return Items ?? []
}

/** What the service left in S3 and DynamoDB. */
export async function storedState ({ s3, ddb }: AwsClients, config: Config): Promise<{ keys: string[], items: Array<Record<string, unknown>> }> {
  const [keys, items] = await Promise.all([listKeys(s3, config.bucket), scanItems(ddb, config.table)])
  return { keys, items }
}

/**
 * Records the id of every multipart upload a client starts, by watching its responses (the
 * client still talks to the real stand-in), so a test can prove each one was aborted.
 */
export function trackMultipartUploads (s3: S3Client): { started: MultipartRef[], aborted: MultipartRef[] } {
  const started: MultipartRef[] = []
  const aborted: MultipartRef[] = []
  s3.middlewareStack.add((next, context) => async (args) => {
    const result = await next(args)
    if (context.commandName === 'CreateMultipartUploadCommand') {
      const output = result.output as { UploadId?: string, Key?: string }
      started.push({ key: output.Key!, uploadId: output.UploadId! })
    }
    if (context.commandName === 'AbortMultipartUploadCommand') {
      const input = args.input as { UploadId?: string, Key?: string }
      aborted.push({ key: input.Key!, uploadId: input.UploadId! })
    }
    return result
  }, { step: 'initialize', name: 'trackMultipartUploads' })
  return { started, aborted }
}

export interface MultipartRef { key: string, uploadId: string }

/** Polls until `check` holds, for effects that finish after the response (or after a disconnect). */
export async function eventually (check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return true
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  return false
}

/** True when the stand-in no longer knows the upload: UploadPart answers NoSuchUpload. */
export async function isMultipartUploadGone (s3: S3Client, bucket: string, upload: { key: string, uploadId: string }): Promise<boolean> {
  try {
    await s3.send(new UploadPartCommand({ Bucket: bucket, Key: upload.key, UploadId: upload.uploadId, PartNumber: 1, Body: 'probe' }))
    return false
  } catch (err) {
    return (err as Error).name === 'NoSuchUpload'
  }
}
