import { IMAGE_KIND } from './table.js'
import { isImageId } from './keys.js'

/** Where a page of the listing ends: the index's LastEvaluatedKey (table key plus index keys). */
export interface ListCursor {
  id: string
  kind: string
  uploadedAt: string
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/
const MAX_CURSOR_LENGTH = 512

/** Opaque to clients: base64url of the key's JSON. */
export const encodeCursor = (key: ListCursor): string =>
  Buffer.from(JSON.stringify({ id: key.id, kind: key.kind, uploadedAt: key.uploadedAt })).toString('base64url')

/**
 * The key inside a cursor, or undefined when the cursor is not one encodeCursor made. Only an
 * exact { id, kind, uploadedAt } of the right shapes gets through to DynamoDB.
 */
export function decodeCursor (cursor: string): ListCursor | undefined {
  if (cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  const { id, kind, uploadedAt, ...rest } = value as Record<string, unknown>
  if (Object.keys(rest).length > 0) return undefined
  if (typeof id !== 'string' || !isImageId(id)) return undefined
  if (kind !== IMAGE_KIND) return undefined
  if (typeof uploadedAt !== 'string' || !ISO_INSTANT.test(uploadedAt)) return undefined
  return { id, kind, uploadedAt }
}
