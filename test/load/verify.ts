import { createHash } from 'node:crypto'
import type { Readable } from 'node:stream'
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3'
import { ScanCommand } from '@aws-sdk/lib-dynamodb'
import type { AwsClients } from '../../app/plugins/aws-clients.js'
import { isMultipartUploadGone, type MultipartRef } from '../helpers/inspect.js'

export interface Acknowledged { id: string, key: string, sha256: string, sentSha256: string }

/**
 * What must hold after the run: the bucket and the table hold exactly the acknowledged images
 * (so every refusal left nothing), each object's bytes hash to what was sent, each item to its
 * record, and no multipart upload is left unfinished. Returns what is wrong.
 */
export async function verifyStored ({ s3, ddb }: AwsClients, names: { bucket: string, table: string }, acknowledged: Acknowledged[], multipart: MultipartRef[]): Promise<string[]> {
  const problems: string[] = []
  const keys = await allKeys(s3, names.bucket)
  const items = await allItems(ddb, names.table)
  if (keys.length !== acknowledged.length) problems.push(`${keys.length} objects for ${acknowledged.length} acknowledged images`)
  if (items.size !== acknowledged.length) problems.push(`${items.size} items for ${acknowledged.length} acknowledged images`)
  const keySet = new Set(keys)
  for (const image of acknowledged) {
    if (image.sha256 !== image.sentSha256) problems.push(`${image.id}: the 201 reports sha256 ${image.sha256}, the client sent ${image.sentSha256}`)
    if (!keySet.has(image.key)) { problems.push(`${image.id}: acknowledged but no object`); continue }
    const stored = await objectSha256(s3, names.bucket, image.key)
    if (stored !== image.sentSha256) problems.push(`${image.id}: stored bytes hash to ${stored}, sent ${image.sentSha256}`)
    if (items.get(image.id) !== image.sentSha256) problems.push(`${image.id}: item ${items.has(image.id) ? 'has another sha256' : 'missing'}`)
  }
  for (const upload of multipart) {
    if (!await isMultipartUploadGone(s3, names.bucket, upload)) problems.push(`multipart upload of ${upload.key} is still open`)
  }
  return problems
}

async function allKeys (s3: AwsClients['s3'], bucket: string): Promise<string[]> {
  const keys: string[] = []
  let token: string | undefined
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }))
    keys.push(...(page.Contents ?? []).map(object => object.Key!))
    token = page.IsTruncated ? page.NextContinuationToken : undefined
  } while (token)
  return keys
}

/** id -> sha256 of every item: a Scan, which only this check may do. */
async function allItems (ddb: AwsClients['ddb'], table: string): Promise<Map<string, string>> {
  const items = new Map<string, string>()
  let start: Record<string, unknown> | undefined
  do {
    const page = await ddb.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start, ConsistentRead: true }))
    for (const item of page.Items ?? []) items.set(String(item['id']), String(item['sha256']))
    start = page.LastEvaluatedKey
  } while (start)
  return items
}

async function objectSha256 (s3: AwsClients['s3'], bucket: string, key: string): Promise<string> {
  const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
  const hash = createHash('sha256')
  for await (const chunk of Body as Readable) hash.update(chunk as Buffer)
  return hash.digest('hex')
}
