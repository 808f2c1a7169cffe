import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../app.js'
import { grantDirectUpload, type DirectUploadRequest } from '../services/direct-uploads.js'
import { errorResponses, uploadedImageSchema } from './schemas.js'

const GRANT_BODY_LIMIT = 16 * 1024

export default async function directUploadRoutes (app: FastifyInstance, deps: AppDeps): Promise<void> {
  app.post<{ Body: DirectUploadRequest }>('/uploads', {
    // A grant request is three short fields; Fastify's 1 MiB default would let a client make the
    // server parse a megabyte of JSON for nothing.
    bodyLimit: GRANT_BODY_LIMIT,
    schema: {
      summary: 'Ask for a presigned POST to send a large image straight to S3',
      description: 'For files larger than POST /upload accepts (API Gateway caps request bodies near 4.5 MiB). ' +
        'Send the returned fields, then the file as the last field named "file", to upload.url before expiresAt. ' +
        'The image stays "pending" until the object lands and passes the same checks as POST /upload.',
      body: {
        type: 'object',
        required: ['filename', 'size', 'type'],
        additionalProperties: false,
        properties: {
          filename: { type: 'string', minLength: 1, maxLength: 1000 },
          size: { type: 'integer', minimum: 1 },
          type: { type: 'string', maxLength: 100, description: 'The image type the file claims; checked again from its bytes when it lands' }
        }
      },
      response: {
        201: {
          type: 'object',
          required: ['id', 'status', 'upload', 'expiresAt', 'deleteToken'],
          properties: {
            id: { type: 'string' },
            status: { type: 'string', const: 'pending' },
            upload: {
              type: 'object',
              required: ['url', 'fields'],
              properties: { url: { type: 'string' }, fields: { type: 'object', additionalProperties: { type: 'string' } } }
            },
            expiresAt: { type: 'string', format: 'date-time' },
            deleteToken: uploadedImageSchema.properties.deleteToken
          }
        },
        ...errorResponses(400, 413, 415, 503)
      }
    }
  }, async (request, reply) => {
    const grant = await grantDirectUpload(deps, request.body)
    request.log.info({ imageId: grant.id, bytes: request.body.size, contentType: request.body.type }, 'direct upload granted')
    return reply.code(201).header('location', `${deps.config.publicUrl}/images/${grant.id}`).send(grant)
  })
}
