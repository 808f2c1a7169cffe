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

/**
 * An object the processor should look at: an original (make its variants), or a direct
 * upload that landed under incoming/ (check it, then move it to originals/).
 */
export interface ImageObjectRef {
  bucket: string
  key: string
  id: string
  stage: 'incoming' | 'original'
  /** The object's size as the event announced it (S3 always does for ObjectCreated). */
  size?: number
}

export type OriginalRef = Omit<ImageObjectRef, 'stage'>

const IMAGE_KEY = /^(originals|incoming)\/([^/]+)$/

/** S3 event keys are form-encoded. */
export const decodeEventKey = (key: string): string => decodeURIComponent(key.replace(/\+/g, ' '))

/** How S3 writes a key into an event (the inverse of decodeEventKey). */
export const encodeEventKey = (key: string): string =>
  encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+')

/**
 * The image object a record is about, or the reason it is none of the processor's business.
 * Only ObjectCreated events for `originals/<id>` or `incoming/<id>` in our bucket count: the
 * variants the processor writes under processed/ can never set it off again.
 */
export function imageObjectOf (record: S3EventRecord, bucket: string): ImageObjectRef | { ignored: string } {
  if (!record.eventName?.startsWith('ObjectCreated:')) return { ignored: `event ${String(record.eventName)}` }
  const name = record.s3?.bucket?.name
  if (name !== bucket) return { ignored: `bucket ${String(name)} is not ${bucket}` }
  let key: string
  try {
    key = decodeEventKey(record.s3.object.key)
  } catch {
    return { ignored: 'undecodable key' }
  }
  const [, prefix, id] = IMAGE_KEY.exec(key) ?? []
  if (id === undefined || !isImageId(id)) return { ignored: `key ${key} is not an original or a direct upload` }
  const size = record.s3.object.size
  return { bucket: name, key, id, stage: prefix === 'incoming' ? 'incoming' : 'original', ...(typeof size === 'number' ? { size } : {}) }
}
