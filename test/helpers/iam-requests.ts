/**
 * What IAM evaluates for each recorded AWS call: action, resource ARN and the request's
 * context keys. The local run's bucket and table stand for the deployed ones. An operation
 * missing from these tables fails the IAM test until its mapping (and its permission) is added.
 */
import type { AwsCall } from './aws-calls.js'

export interface Deployment {
  partition: string
  region: string
  account: string
  bucket: string
  table: string
}

export type Context = Record<string, string | string[]>

export interface IamRequest {
  action: string
  resource: string
  context: Context
  /** The call it comes from, for messages. */
  origin: string
}

/** Operations on one object and the action S3 authorizes them as. */
const S3_OBJECT_ACTIONS: Record<string, string> = {
  PutObject: 's3:PutObject',
  // The browser's form upload under a presigned POST, signed with the function's credentials.
  PostObject: 's3:PutObject',
  CreateMultipartUpload: 's3:PutObject',
  UploadPart: 's3:PutObject',
  CompleteMultipartUpload: 's3:PutObject',
  AbortMultipartUpload: 's3:AbortMultipartUpload',
  GetObject: 's3:GetObject',
  HeadObject: 's3:GetObject',
  DeleteObject: 's3:DeleteObject'
}

const DYNAMODB_ACTIONS = new Set(['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'Scan'])

/** s3:authType as S3 sets it for each way a request is signed. */
const AUTH_TYPE: Record<AwsCall['auth'], string> = { header: 'REST-HEADER', 'presigned-url': 'REST-QUERY-STRING', 'post-form': 'POST' }

export const tls = (secure: boolean): Context => ({ 'aws:SecureTransport': String(secure) })

export const objectArn = (d: Deployment, key: string): string => `arn:${d.partition}:s3:::${d.bucket}/${key}`
export const bucketArn = (d: Deployment): string => `arn:${d.partition}:s3:::${d.bucket}`
export const tableArn = (d: Deployment, table = d.table): string => `arn:${d.partition}:dynamodb:${d.region}:${d.account}:table/${table}`

export function iamRequestsOf (call: AwsCall, local: { bucket: string, table: string }, deployed: Deployment): IamRequest[] {
  const input = call.input
  const origin = `${call.operation}${call.auth === 'header' ? '' : ` (${call.auth})`} ${String(input['Key'] ?? input['Prefix'] ?? input['IndexName'] ?? '')}`.trim()
  if (call.service === 's3') {
    if (input['Bucket'] !== local.bucket) throw new Error(`${origin}: bucket ${String(input['Bucket'])} is not the function's bucket ${local.bucket}`)
    const s3Context: Context = { ...tls(true), 's3:authType': AUTH_TYPE[call.auth], 's3:signatureversion': 'AWS4-HMAC-SHA256' }
    const key = String(input['Key'])
    const objectAction = S3_OBJECT_ACTIONS[call.operation]
    if (objectAction) {
      const conditional = {
        ...(objectAction === 's3:PutObject' && input['IfNoneMatch'] !== undefined && { 's3:if-none-match': String(input['IfNoneMatch']) }),
        ...(objectAction === 's3:DeleteObject' && input['IfMatch'] !== undefined && { 's3:if-match': String(input['IfMatch']) })
      }
      return [{ action: objectAction, resource: objectArn(deployed, key), context: { ...s3Context, ...conditional }, origin }]
    }
    if (call.operation === 'CopyObject') {
      const [sourceBucket, ...sourceKey] = decodeURIComponent(String(input['CopySource'])).split('/')
      if (sourceBucket !== local.bucket) throw new Error(`${origin}: copies from bucket ${String(sourceBucket)}`)
      return [
        { action: 's3:GetObject', resource: objectArn(deployed, sourceKey.join('/')), context: s3Context, origin: `${origin} (source)` },
        {
          action: 's3:PutObject',
          resource: objectArn(deployed, key),
          context: {
            ...s3Context,
            's3:x-amz-copy-source': `${deployed.bucket}/${sourceKey.join('/')}`,
            ...(input['MetadataDirective'] !== undefined && { 's3:x-amz-metadata-directive': String(input['MetadataDirective']) })
          },
          origin
        }
      ]
    }
    if (call.operation === 'ListObjectsV2') {
      const listContext: Context = {
        ...s3Context,
        ...(input['Prefix'] !== undefined && { 's3:prefix': String(input['Prefix']) }),
        ...(input['MaxKeys'] !== undefined && { 's3:max-keys': String(input['MaxKeys']) }),
        ...(input['Delimiter'] !== undefined && { 's3:delimiter': String(input['Delimiter']) })
      }
      return [{ action: 's3:ListBucket', resource: bucketArn(deployed), context: listContext, origin }]
    }
    throw new Error(`no IAM mapping for S3 ${call.operation}: add it to test/helpers/iam-requests.ts`)
  }

  if (!DYNAMODB_ACTIONS.has(call.operation)) throw new Error(`no IAM mapping for DynamoDB ${call.operation}: add it to test/helpers/iam-requests.ts`)
  if (input['TableName'] !== local.table) throw new Error(`${origin}: table ${String(input['TableName'])} is not the function's table ${local.table}`)
  const index = input['IndexName'] === undefined ? '' : `/index/${String(input['IndexName'])}`
  const id = (input['Key'] as { id?: unknown } | undefined)?.id ?? (input['Item'] as { id?: unknown } | undefined)?.id
  const context: Context = {
    ...tls(true),
    // The partition key value of an item request (fine-grained access control reads it).
    ...(typeof id === 'string' && { 'dynamodb:LeadingKeys': [id] }),
    ...(input['ReturnValues'] !== undefined && { 'dynamodb:ReturnValues': String(input['ReturnValues']) })
  }
  return [{ action: `dynamodb:${call.operation}`, resource: `${tableArn(deployed)}${index}`, context, origin }]
}
