import { AppError, errors, requestErrors } from './errors.js'
import { sanitizeFilename } from './filename.js'

export interface MultipartLimits {
  maxFiles: number
  maxFields: number
  maxUploadBytes: number
}

/**
 * Turns what the multipart parser (@fastify/multipart over busboy) throws into our coded
 * errors. Called only around parser calls, so an unknown error here is malformed input.
 */
export function fromParserError (err: unknown, limits: MultipartLimits): AppError {
  if (err instanceof AppError) return err
  const { code, message, part } = err as { code?: string, message?: string, part?: { filename?: string } }
  switch (code) {
    case 'FST_REQ_FILE_TOO_LARGE': return errors.fileTooLarge(sanitizeFilename(part?.filename), limits.maxUploadBytes)
    case 'FST_FILES_LIMIT': return errors.tooManyFiles(limits.maxFiles)
    case 'FST_FIELDS_LIMIT': return errors.tooManyFields(limits.maxFields)
    case 'FST_PARTS_LIMIT': return errors.tooManyParts()
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE': return errors.notMultipart()
    case 'FST_MP_PREMATURE_CLOSE': return requestErrors.clientClosed()
    case 'FST_PROTO_VIOLATION': return errors.malformedMultipart('a field name is not allowed')
    case 'FST_INVALID_JSON_FIELD_ERROR': return errors.malformedMultipart('a field declared as JSON is not valid JSON')
    case 'ERR_STREAM_PREMATURE_CLOSE': return requestErrors.clientClosed()
  }
  // busboy's own messages ("Unexpected end of form", "Malformed part header", ...) are
  // plain errors with safe, useful text.
  const detail = typeof message === 'string' && message.length < 200 ? message.toLowerCase() : 'invalid body'
  return errors.malformedMultipart(detail)
}
