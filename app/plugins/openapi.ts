import type { FastifyInstance } from 'fastify'
import swagger from '@fastify/swagger'

const UPLOAD_BODY = {
  required: true,
  content: {
    'multipart/form-data': {
      schema: {
        type: 'object',
        required: ['file'],
        properties: { file: { type: 'array', items: { type: 'string', format: 'binary' }, description: 'One or more images' } }
      }
    }
  }
}

/**
 * The OpenAPI 3 document, generated from the route schemas. Register before the routes.
 * POST /upload streams its body, so it declares no body schema for Fastify to validate; its
 * multipart request body is added to the document here.
 */
export async function registerOpenApi (app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Image upload service',
        version: '1.0.0',
        description: 'Upload images into S3 with their metadata in DynamoDB. Errors are JSON `{ statusCode, error, code, message }`.'
      }
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json['$id'] ?? `def-${i}`) },
    transformObject: (documents) => {
      const document = 'openapiObject' in documents ? documents.openapiObject : documents.swaggerObject
      const upload = (document.paths as Record<string, Record<string, Record<string, unknown>>> | undefined)?.['/upload']?.['post']
      if (upload) upload['requestBody'] = UPLOAD_BODY
      return document
    }
  })
}

export async function openApiRoutes (app: FastifyInstance): Promise<void> {
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
}
