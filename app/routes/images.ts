import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../app.js'
import { decodeCursor } from '../lib/cursor.js'
import { errors } from '../lib/errors.js'
import { imageErrors } from '../lib/image-errors.js'
import { ID_JSON_PATTERN } from '../lib/keys.js'
import { deleteImage } from '../services/delete-image.js'
import { publicRecord, readImageItem } from '../services/image-items.js'
import { listImagePage } from '../services/image-listing.js'
import { errorResponses } from './schemas.js'
import { ignoreRequestBodies } from '../plugins/no-body.js'

export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: ID_JSON_PATTERN } }
} as const

const secretHeader = (description: string) => ({ type: 'string', maxLength: 512, description })

export default async function imageRoutes (app: FastifyInstance, deps: AppDeps): Promise<void> {
  ignoreRequestBodies(app)
  const { config, ddb } = deps

  app.get<{ Querystring: { limit: number, cursor?: string } }>('/images', {
    schema: {
      summary: 'List images, newest first',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
          cursor: { type: 'string', maxLength: 1024, description: 'nextCursor of the previous page' }
        }
      },
      response: {
        200: {
          type: 'object',
          required: ['images'],
          properties: {
            images: { type: 'array', items: { $ref: 'ImageRecord#' } },
            nextCursor: { type: 'string', description: 'Present when there is a next page' }
          }
        },
        ...errorResponses(400, 503)
      }
    }
  }, async (request) => {
    const { limit, cursor } = request.query
    const after = cursor === undefined ? undefined : decodeCursor(cursor)
    if (cursor !== undefined && !after) throw imageErrors.invalidCursor()
    return listImagePage(ddb, config.table, { limit, after })
  })

  app.get<{ Params: { id: string } }>('/images/:id', {
    schema: {
      summary: 'One image: its status, dimensions and variants',
      params: idParams,
      response: {
        200: { anyOf: [{ $ref: 'ImageRecord#' }, { $ref: 'PendingImage#' }] },
        ...errorResponses(400, 404, 503)
      }
    }
  }, async (request) => {
    const item = await readImageItem(ddb, config.table, request.params.id)
    if (!item || item.status === 'deleting') throw errors.notFound('Image')
    return publicRecord(item)
  })

  app.delete<{ Params: { id: string }, Headers: { 'x-delete-token'?: string, 'x-api-key'?: string } }>('/images/:id', {
    schema: {
      summary: 'Delete an image: its original, every variant and its record',
      description: 'Needs the deleteToken from the upload response (x-delete-token) or the admin key (x-api-key). ' +
        'Idempotent: deleting an image that is already gone is also a 204.',
      params: idParams,
      headers: {
        type: 'object',
        properties: {
          'x-delete-token': secretHeader('The deleteToken from the upload response'),
          'x-api-key': secretHeader('The admin API key (ADMIN_API_KEY)')
        }
      },
      response: {
        204: { type: 'null', description: 'Deleted, or already gone' },
        ...errorResponses(400, 403, 503)
      }
    }
  }, async (request, reply) => {
    const outcome = await deleteImage(deps, request.params.id, {
      deleteToken: request.headers['x-delete-token'],
      apiKey: request.headers['x-api-key']
    })
    request.log.info({ imageId: request.params.id, outcome }, 'image delete')
    return reply.code(204).send()
  })
}
