import { createPresignedPost } from '@aws-sdk/s3-presigned-post'
import { PutCommand } from '@aws-sdk/lib-dynamodb'
import type { AppDeps } from '../app.js'
import { AppError, errors } from '../lib/errors.js'
import { hashSecret, newDeleteToken } from '../lib/delete-token.js'
import { sanitizeFilename } from '../lib/filename.js'
import { incomingKey, newImageId, originalKey } from '../lib/keys.js'

export interface DirectUploadRequest {
  filename: string
  size: number
  type: string
}

export interface DirectUploadGrant {
  id: string
  status: 'pending'
  upload: { url: string, fields: Record<string, string> }
  expiresAt: string
  /** Shown once, like an upload's: proves the right to delete the image later. */
  deleteToken: string
}

/** How long a pending item outlives its presigned POST before DynamoDB's TTL may remove it. */
const PENDING_GRACE_SECONDS = 3600

/**
 * Lets a browser send a file larger than API Gateway allows straight to S3. The presigned POST
 * pins the exact key (under incoming/, never the original's), the exact size and the declared
 * type, for a short time. The item starts `pending`, with no `kind`, so the listing index does
 * not show it; the S3 event path checks the object when it lands (sniffed type, pixel limit,
 * size) and moves it to the original's key, or deletes it (app/processing/admit-direct-upload.ts).
 */
export async function grantDirectUpload ({ config, s3, ddb }: AppDeps, request: DirectUploadRequest): Promise<DirectUploadGrant> {
  const filename = sanitizeFilename(request.filename)
  if (!config.allowedTypes.includes(request.type)) {
    throw errors.unsupportedType(filename, `declared ${request.type}`, config.allowedTypes)
  }
  if (request.size > config.maxDirectUploadBytes) throw errors.fileTooLarge(filename, config.maxDirectUploadBytes)

  const id = newImageId()
  const deleteToken = newDeleteToken()
  const now = Date.now()
  const upload = await createPresignedPost(s3, {
    Bucket: config.bucket,
    Key: incomingKey(id),
    Expires: config.directUploadExpirySeconds,
    Fields: { 'Content-Type': request.type },
    Conditions: [
      ['content-length-range', request.size, request.size],
      ['eq', '$Content-Type', request.type]
    ]
  })
  const expiresAt = policyExpiration(upload.fields)
  try {
    await ddb.send(new PutCommand({
      TableName: config.table,
      Item: {
        id,
        key: originalKey(id),
        bucket: config.bucket,
        filename,
        contentType: request.type,
        size: request.size,
        status: 'pending',
        deleteTokenHash: hashSecret(deleteToken),
        uploadedAt: new Date(now).toISOString(),
        expiresAt: Math.ceil(expiresAt.getTime() / 1000) + PENDING_GRACE_SECONDS
      },
      ConditionExpression: 'attribute_not_exists(id)'
    }))
  } catch (err) {
    if (err instanceof AppError) throw err
    throw Object.assign(errors.metadataUnavailable(), { cause: err })
  }
  return { id, status: 'pending', upload, expiresAt: expiresAt.toISOString(), deleteToken }
}

/**
 * The expiration S3 will enforce, read from the signed policy itself: the SDK signs with its
 * clock-skew-corrected clock (sampled from S3's Date headers, to the second), which can run a
 * second or more behind Date.now(), so a time computed here could promise more than S3 gives.
 */
function policyExpiration (fields: Record<string, string>): Date {
  const policy = JSON.parse(Buffer.from(fields['Policy'] ?? '', 'base64').toString('utf8')) as { expiration: string }
  return new Date(policy.expiration)
}
