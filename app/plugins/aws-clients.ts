import { S3Client } from '@aws-sdk/client-s3'
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import type { AwsCredentialIdentity } from '@aws-sdk/types'
import type { Config } from '../config.js'

export interface AwsClients {
  s3: S3Client
  ddb: DynamoDBDocumentClient
}

export interface ClientTarget {
  endpoints?: { s3?: string | undefined, dynamodb?: string | undefined }
  /** Fixed credentials for a local stand-in; real AWS uses the default provider chain. */
  credentials?: AwsCredentialIdentity
}

/**
 * One S3 and one DynamoDB client per process (in Lambda, per container). Stand-ins get
 * path-style addressing and checksums only when required: s3rver stores aws-chunked trailers
 * inside the object otherwise. Real S3 keeps the SDK's default checksums.
 */
export function createAwsClients (config: Config, target: ClientTarget = {}): AwsClients {
  const standIn = config.mode !== 'aws'
  // socketTimeout, not requestTimeout: this SDK only logs a warning when requestTimeout passes
  // (unless throwOnRequestTimeout), and an idle socket is what a stalled S3 or DynamoDB looks like.
  const requestHandler = { connectionTimeout: 3_000, socketTimeout: config.awsRequestTimeoutMs }
  const common = {
    region: config.region,
    requestHandler,
    ...(target.credentials && { credentials: target.credentials })
  }
  const s3 = new S3Client({
    ...common,
    ...(target.endpoints?.s3 && { endpoint: target.endpoints.s3 }),
    ...(standIn && {
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED'
    })
  })
  const dynamodb = new DynamoDBClient({
    ...common,
    ...(target.endpoints?.dynamodb && { endpoint: target.endpoints.dynamodb })
  })
  const ddb = DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } })
  return { s3, ddb }
}

export function destroyAwsClients (clients: AwsClients): void {
  clients.s3.destroy()
  clients.ddb.destroy()
}
