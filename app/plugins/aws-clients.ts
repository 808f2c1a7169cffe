import { S3Client } from '@aws-sdk/client-s3'
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import type { AwsCredentialIdentity, BuildMiddleware, MetadataBearer } from '@aws-sdk/types'
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
  s3.middlewareStack.add(unsignedPartPayload, { step: 'build', name: 'unsignedPartPayload' })
  const dynamodb = new DynamoDBClient({
    ...common,
    ...(target.endpoints?.dynamodb && { endpoint: target.endpoints.dynamodb })
  })
  const ddb = DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } })
  return { s3, ddb }
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]'])

/**
 * A multipart part goes up with an unsigned payload when TLS (and, on AWS, the part's CRC32)
 * or a loopback socket already guards its bytes: SigV4 would otherwise hash every part again,
 * next to the sha256 we compute of the whole file (about a tenth of a large upload's CPU,
 * bench/results.md). Anywhere else, e.g. plain http to another host, the payload stays signed.
 */
const unsignedPartPayload: BuildMiddleware<object, MetadataBearer> = (next, context) => async (args) => {
  const request = args.request as { protocol?: string, hostname?: string, headers?: Record<string, string> }
  if (context.commandName === 'UploadPartCommand' && request.headers &&
    (request.protocol === 'https:' || LOOPBACK.has(request.hostname ?? ''))) {
    request.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD'
  }
  return await next(args)
}

export function destroyAwsClients (clients: AwsClients): void {
  clients.s3.destroy()
  clients.ddb.destroy()
}
