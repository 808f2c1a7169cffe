import { ID_JSON_PATTERN } from '../lib/keys.js'
import { VARIANT_NAMES } from '../lib/variants.js'

const variantSchema = {
  type: 'object',
  required: ['key', 'width', 'height', 'contentType', 'size'],
  properties: {
    key: { type: 'string', description: 'S3 key of the variant' },
    width: { type: 'integer' },
    height: { type: 'integer' },
    contentType: { type: 'string' },
    size: { type: 'integer', description: 'Bytes' }
  }
} as const

export const imageRecordSchema = {
  $id: 'ImageRecord',
  type: 'object',
  required: ['id', 'key', 'bucket', 'filename', 'contentType', 'size', 'sha256', 'width', 'height', 'uploadedAt', 'status'],
  properties: {
    id: { type: 'string', pattern: ID_JSON_PATTERN },
    key: { type: 'string', description: 'S3 key of the original' },
    bucket: { type: 'string' },
    filename: { type: 'string', description: "The client's file name, sanitized; a label only" },
    contentType: { type: 'string', description: 'Sniffed from the bytes, never taken from the client' },
    size: { type: 'integer', description: 'Bytes' },
    sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    width: { type: 'integer', description: 'From the header at upload; once ready, of the decoded image as displayed (EXIF rotation applied)' },
    height: { type: 'integer' },
    uploadedAt: { type: 'string', format: 'date-time' },
    status: { type: 'string', enum: ['processing', 'ready', 'failed'], description: 'processing until the variants are made; failed when the image cannot be decoded' },
    variants: {
      type: 'object',
      description: 'WebP versions, once ready: thumb (256 px longest side) and display (1280 px), never upscaled',
      properties: Object.fromEntries(VARIANT_NAMES.map(name => [name, variantSchema]))
    },
    failureReason: { type: 'string', description: 'Why a failed image could not be processed' },
    processedAt: { type: 'string', format: 'date-time' }
  }
} as const

/** The upload response: the record plus the one-time delete token, which only this response and the direct-upload grant carry. */
export const uploadedImageSchema = {
  ...imageRecordSchema,
  $id: 'UploadedImage',
  required: [...imageRecordSchema.required, 'deleteToken'],
  properties: {
    ...imageRecordSchema.properties,
    deleteToken: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$', description: 'Send back as header x-delete-token to DELETE the image; shown once, only its hash is stored' }
  }
} as const

/** A direct upload (POST /uploads) whose object has not landed or not been checked yet, or was refused. */
export const pendingImageSchema = {
  $id: 'PendingImage',
  type: 'object',
  required: ['id', 'filename', 'contentType', 'size', 'uploadedAt', 'status'],
  properties: {
    id: { type: 'string', pattern: ID_JSON_PATTERN },
    filename: { type: 'string' },
    contentType: { type: 'string', description: 'The type the client declared' },
    size: { type: 'integer', description: 'Bytes the client declared' },
    uploadedAt: { type: 'string', format: 'date-time' },
    status: { type: 'string', enum: ['pending', 'rejected'], description: 'pending until the object lands and is checked; rejected when it is not what the grant allowed (the object is deleted, the record expires)' },
    failureReason: { type: 'string', description: 'Why a rejected upload was refused' }
  }
} as const

export const errorResponses = (...codes: number[]) =>
  Object.fromEntries(codes.map(code => [code, { $ref: 'ErrorBody#' }]))
