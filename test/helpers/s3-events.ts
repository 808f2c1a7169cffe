/**
 * S3 event notifications as Lambda receives them, after AWS's documented sample (event version
 * 2.1): keys URL-encoded (spaces as '+'), bucket ARN, size, eTag and sequencer.
 */
import { randomBytes } from 'node:crypto'
import { encodeEventKey } from '../../app/processing/s3-event.js'

export interface ObjectRef {
  bucket: string
  key: string
  size?: number
  eventName?: string
}

export function s3EventRecord ({ bucket, key, size = 1024, eventName = 'ObjectCreated:Put' }: ObjectRef) {
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: 'us-east-1',
    eventTime: new Date().toISOString(),
    eventName,
    userIdentity: { principalId: 'AWS:AIDAJDPLRKLG7UEXAMPLE' },
    requestParameters: { sourceIPAddress: '198.51.100.7' },
    responseElements: { 'x-amz-request-id': randomBytes(8).toString('hex').toUpperCase(), 'x-amz-id-2': randomBytes(48).toString('base64') },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'originals-to-processor',
      bucket: { name: bucket, ownerIdentity: { principalId: 'A3NL1KOZZKExample' }, arn: `arn:aws:s3:::${bucket}` },
      object: { key: encodeEventKey(key), size, eTag: randomBytes(16).toString('hex'), sequencer: '0055AED6DCD90281E5' }
    }
  }
}

export const s3Event = (...records: ObjectRef[]) => ({ Records: records.map(s3EventRecord) })
