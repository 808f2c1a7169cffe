import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import type { ImageVariant } from '../services/metadata.js'
import type { VariantName } from '../lib/variants.js'

export interface ReadyFields {
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
    UpdateExpression: 'SET #status = :ready, width = :width, height = :height, variants = :variants, processedAt = :now',
    ConditionExpression: '#status = :processing',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':ready': 'ready',
      ':processing': 'processing',
      ':width': fields.width,
      ':height': fields.height,
      ':variants': fields.variants,
      ':now': new Date().toISOString()
    }
  })
}

/** processing -> failed, with the reason clients see. The original stays. */
export async function markFailed (ddb: DynamoDBDocumentClient, table: string, id: string, reason: string): Promise<boolean> {
  return settle(ddb, table, id, { from: 'processing', to: 'failed', reason })
}

/**
 * pending -> rejected: a direct upload that is not what its grant allowed. Its object is
 * deleted; the item keeps its TTL, so it says why for a while and then expires.
 */
export async function markRejected (ddb: DynamoDBDocumentClient, table: string, id: string, reason: string): Promise<boolean> {
  return settle(ddb, table, id, { from: 'pending', to: 'rejected', reason })
}

async function settle (ddb: DynamoDBDocumentClient, table: string, id: string, move: { from: string, to: string, reason: string }): Promise<boolean> {
  return conditionalUpdate(ddb, {
    TableName: table,
    Key: { id },
    UpdateExpression: 'SET #status = :to, failureReason = :reason, processedAt = :now',
    ConditionExpression: '#status = :from',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':to': move.to, ':from': move.from, ':reason': move.reason, ':now': new Date().toISOString() }
  })
}

export interface AdmittedFields {
  contentType: string
  sha256: string
  width: number
  height: number
  kind: string
}

/**
 * pending -> processing for a direct upload whose object passed the upload checks: the sniffed
 * type and the measured facts replace the client's claims, the item joins the index (kind) and
 * loses its TTL.
 */
export async function markAdmitted (ddb: DynamoDBDocumentClient, table: string, id: string, fields: AdmittedFields): Promise<boolean> {
  return conditionalUpdate(ddb, {
    TableName: table,
    Key: { id },
    UpdateExpression: 'SET #status = :processing, contentType = :type, sha256 = :sha256, width = :width, height = :height, kind = :kind REMOVE expiresAt',
    ConditionExpression: '#status = :pending',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':processing': 'processing',
      ':pending': 'pending',
      ':type': fields.contentType,
      ':sha256': fields.sha256,
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
