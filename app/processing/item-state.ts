import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import type { ImageVariant } from '../services/metadata.js'
import type { VariantName } from '../lib/variants.js'

export interface ReadyFields {
  /** Of the original processed: a direct upload's is known only now. */
  sha256: string
  width: number
  height: number
  variants: Partial<Record<VariantName, ImageVariant>>
}

/**
 * processing -> ready. False when the item is no longer `processing` (another delivery of the
 * same event finished first, or a DELETE marked it `deleting` or removed it): nothing changes.
 */
export async function markReady (ddb: DynamoDBDocumentClient, table: string, id: string, fields: ReadyFields): Promise<boolean> {
  return conditionalUpdate(ddb, {
    TableName: table,
    Key: { id },
    UpdateExpression: 'SET #status = :ready, sha256 = :sha256, width = :width, height = :height, variants = :variants, processedAt = :now',
    ConditionExpression: '#status = :processing',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':ready': 'ready',
      ':processing': 'processing',
      ':sha256': fields.sha256,
      ':width': fields.width,
      ':height': fields.height,
      ':variants': fields.variants,
      ':now': new Date().toISOString()
    }
  })
}

/** processing -> failed, with the reason clients see and the original's sha256. The original stays. */
export async function markFailed (ddb: DynamoDBDocumentClient, table: string, id: string, reason: string, sha256: string): Promise<boolean> {
  return conditionalUpdate(ddb, {
    TableName: table,
    Key: { id },
    UpdateExpression: 'SET #status = :failed, failureReason = :reason, sha256 = :sha256, processedAt = :now',
    ConditionExpression: '#status = :processing',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':failed': 'failed', ':processing': 'processing', ':reason': reason, ':sha256': sha256, ':now': new Date().toISOString() }
  })
}

/**
 * pending -> rejected: a direct upload that is not what its grant allowed. Its object is
 * deleted; the item keeps its TTL, so it says why for a while and then expires.
 */
export async function markRejected (ddb: DynamoDBDocumentClient, table: string, id: string, reason: string): Promise<boolean> {
  return conditionalUpdate(ddb, {
    TableName: table,
    Key: { id },
    UpdateExpression: 'SET #status = :rejected, failureReason = :reason, processedAt = :now',
    ConditionExpression: '#status = :pending',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':rejected': 'rejected', ':pending': 'pending', ':reason': reason, ':now': new Date().toISOString() }
  })
}

export interface AdmittedFields {
  contentType: string
  width: number
  height: number
  kind: string
}

/**
 * pending -> processing for a direct upload whose object passed the upload checks and was
 * copied to originals/: the sniffed type and the measured facts replace the client's claims,
 * the item joins the index (kind) and loses its TTL. Its sha256 comes with processing.
 */
export async function markAdmitted (ddb: DynamoDBDocumentClient, table: string, id: string, fields: AdmittedFields): Promise<boolean> {
  return conditionalUpdate(ddb, {
    TableName: table,
    Key: { id },
    UpdateExpression: 'SET #status = :processing, contentType = :type, width = :width, height = :height, kind = :kind REMOVE expiresAt',
    ConditionExpression: '#status = :pending',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':processing': 'processing',
      ':pending': 'pending',
      ':type': fields.contentType,
      ':width': fields.width,
      ':height': fields.height,
      ':kind': fields.kind
    }
  })
}

async function conditionalUpdate (ddb: DynamoDBDocumentClient, input: ConstructorParameters<typeof UpdateCommand>[0]): Promise<boolean> {
  try {
    await ddb.send(new UpdateCommand(input))
    return true
  } catch (err) {
    if ((err as Error).name === 'ConditionalCheckFailedException') return false
    throw err
  }
}
