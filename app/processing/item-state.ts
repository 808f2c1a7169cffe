import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import type { ImageVariant } from '../services/metadata.js'
import type { VariantName } from '../lib/variants.js'

// Every change of an item's status is conditional on the status it leaves, so a replayed or
// duplicate event, or one racing a DELETE (which marks the item `deleting` or removes it),
// changes nothing: each function answers false then.

export interface ReadyFields {
  /** Of the original processed: a direct upload's is known only now. */
  sha256: string
  width: number
  height: number
  variants: Partial<Record<VariantName, ImageVariant>>
}

/** processing -> ready, with what processing measured and made. */
export async function markReady (ddb: DynamoDBDocumentClient, table: string, id: string, fields: ReadyFields): Promise<boolean> {
  return moveStatus(ddb, table, id, { from: 'processing', to: 'ready', set: { ...fields, processedAt: now() } })
}

/** processing -> failed, with the reason clients see and the original's sha256. The original stays. */
export async function markFailed (ddb: DynamoDBDocumentClient, table: string, id: string, reason: string, sha256: string): Promise<boolean> {
  return moveStatus(ddb, table, id, { from: 'processing', to: 'failed', set: { failureReason: reason, sha256, processedAt: now() } })
}

/**
 * pending -> rejected: a direct upload that is not what its grant allowed. Its object is
 * deleted; the item keeps its TTL, so it says why for a while and then expires.
 */
export async function markRejected (ddb: DynamoDBDocumentClient, table: string, id: string, reason: string): Promise<boolean> {
  return moveStatus(ddb, table, id, { from: 'pending', to: 'rejected', set: { failureReason: reason, processedAt: now() } })
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
  return moveStatus(ddb, table, id, { from: 'pending', to: 'processing', set: { ...fields }, remove: ['expiresAt'] })
}

interface StatusChange {
  from: string
  to: string
  set: Record<string, unknown>
  remove?: string[]
}

async function moveStatus (ddb: DynamoDBDocumentClient, table: string, id: string, change: StatusChange): Promise<boolean> {
  const fields = Object.keys(change.set)
  const removed = change.remove ?? []
  const names = Object.fromEntries([...fields, ...removed].map(field => [`#${field}`, field]))
  const values = Object.fromEntries(fields.map(field => [`:${field}`, change.set[field]]))
  const assignments = ['#status = :to', ...fields.map(field => `#${field} = :${field}`)]
  try {
    await ddb.send(new UpdateCommand({
      TableName: table,
      Key: { id },
      UpdateExpression: `SET ${assignments.join(', ')}${removed.length > 0 ? ` REMOVE ${removed.map(field => `#${field}`).join(', ')}` : ''}`,
      ConditionExpression: '#status = :from',
      ExpressionAttributeNames: { '#status': 'status', ...names },
      ExpressionAttributeValues: { ':from': change.from, ':to': change.to, ...values }
    }))
    return true
  } catch (err) {
    if ((err as Error).name === 'ConditionalCheckFailedException') return false
    throw err
  }
}

const now = (): string => new Date().toISOString()
