import { ID_JSON_PATTERN } from '../lib/keys.js'

export const imageRecordSchema = {
  $id: 'ImageRecord',
  type: 'object',
  required: ['id', 'key', 'bucket', 'filename', 'contentType', 'size', 'sha256', 'width', 'height', 'uploadedAt'],
  properties: {
    id: { type: 'string', pattern: ID_JSON_PATTERN },
    key: { type: 'string', description: 'S3 key of the original' },
    bucket: { type: 'string' },
    filename: { type: 'string', description: "The client's file name, sanitized; a label only" },
    contentType: { type: 'string', description: 'Sniffed from the bytes, never taken from the client' },
    size: { type: 'integer', description: 'Bytes' },
    sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    width: { type: 'integer' },
    height: { type: 'integer' },
    uploadedAt: { type: 'string', format: 'date-time' }
  }
} as const

export const errorResponses = (...codes: number[]) =>
  Object.fromEntries(codes.map(code => [code, { $ref: 'ErrorBody#' }]))
