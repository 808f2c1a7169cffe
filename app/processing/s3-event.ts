import { isImageId } from '../lib/keys.js'

/** The parts of an S3 event notification (event version 2.x) the processor reads. */
export interface S3EventRecord {
  eventVersion?: string
  eventSource?: string
  eventName: string
  s3: {
    bucket: { name: string, arn?: string }
    /** URL-encoded the way S3 encodes it: spaces as '+', other specials as %XX. */
    object: { key: string, size?: number, eTag?: string, sequencer?: string }
  }
}

export interface S3Event {
  Records: S3EventRecord[]
}

/** An original the processor should look at. */
export interface OriginalRef {
  bucket: string
  key: string
  id: string
  /** The object's size as the event announced it (S3 always does for ObjectCreated). */
  size?: number
}

const ORIGINAL_KEY = /^originals\/([^/]+)$/

/** S3 event keys are form-encoded. */
export const decodeEventKey = (key: string): string => decodeURIComponent(key.replace(/\+/g, ' '))

/** How S3 writes a key into an event (the inverse of decodeEventKey). */
export const encodeEventKey = (key: string): string =>
  encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+')

/**
 * The original a record is about, or the reason it is none of the processor's business. Only
 * ObjectCreated events for `originals/<id>` in our bucket count: the variants the processor
 * writes under processed/ can never set it off again.
 */
export function originalOf (record: S3EventRecord, bucket: string): OriginalRef | { ignored: string } {
  if (!record.eventName?.startsWith('ObjectCreated:')) return { ignored: `event ${String(record.eventName)}` }
  const name = record.s3?.bucket?.name
  if (name !== bucket) return { ignored: `bucket ${String(name)} is not ${bucket}` }
  let key: string
  try {
    key = decodeEventKey(record.s3.object.key)
  } catch {
    return { ignored: 'undecodable key' }
  }
  const id = ORIGINAL_KEY.exec(key)?.[1]
  if (id === undefined || !isImageId(id)) return { ignored: `key ${key} is not an original` }
  const size = record.s3.object.size
  return { bucket: name, key, id, ...(typeof size === 'number' ? { size } : {}) }
}
