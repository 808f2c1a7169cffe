import type { FastifyInstance, FastifyReply } from 'fastify'
import type { AppDeps } from '../app.js'
import { decodeCursor } from '../lib/cursor.js'
import { AppError } from '../lib/errors.js'
import { imageErrors } from '../lib/image-errors.js'
import { deleteImage } from '../services/delete-image.js'
import { publicRecord, readImageItem } from '../services/image-items.js'
import { listImagePage } from '../services/image-listing.js'
import { acceptFormPosts } from '../ui/form-body.js'
import type { PageImage } from '../ui/format.js'
import { renderGallery } from '../ui/gallery-view.js'
import { renderImageNotFound, renderImagePage } from '../ui/image-view.js'
import { idParams } from './images.js'

const PAGE_SIZE = 24
/** A delete form holds one token (43 characters); anything much bigger is not ours. */
const FORM_BODY_LIMIT = 4096

interface GalleryQuery { limit?: number, cursor?: string, deleted?: string }

/** The browser pages: server-rendered HTML, hidden from the OpenAPI document. */
export default async function pageRoutes (app: FastifyInstance, deps: AppDeps): Promise<void> {
  const { config, ddb } = deps
  acceptFormPosts(app, FORM_BODY_LIMIT)

  app.get<{ Querystring: GalleryQuery }>('/gallery', {
    schema: {
      hide: true,
      querystring: {
        type: 'object',
        properties: {
          limit: { type: 'integer', minimum: 1, maximum: 100 },
          cursor: { type: 'string', maxLength: 1024 },
          deleted: { type: 'string', maxLength: 8 }
        }
      }
    }
  }, async (request, reply) => {
    const { limit, cursor, deleted } = request.query
    const after = cursor === undefined ? undefined : decodeCursor(cursor)
    if (cursor !== undefined && !after) throw imageErrors.invalidCursor()
    const page = await listImagePage(ddb, config.table, { limit: limit ?? PAGE_SIZE, after })
    return sendHtml(reply, 200, renderGallery({
      images: page.images,
      nextCursor: page.nextCursor,
      limit,
      paged: cursor !== undefined,
      deleted: deleted !== undefined
    }))
  })

  const findImage = async (id: string): Promise<PageImage | undefined> => {
    const item = await readImageItem(ddb, config.table, id)
    if (!item || item.status === 'deleting') return undefined
    return publicRecord(item)
  }

  app.get<{ Params: { id: string } }>('/gallery/:id', { schema: { hide: true, params: idParams } }, async (request, reply) => {
    const image = await findImage(request.params.id)
    return image ? sendHtml(reply, 200, renderImagePage(image)) : sendHtml(reply, 404, renderImageNotFound())
  })

  // The no-JavaScript delete: the token comes in the form body, which nothing logs.
  app.post<{ Params: { id: string }, Body: Record<string, string> | undefined }>('/gallery/:id/delete', {
    schema: { hide: true, params: idParams }
  }, async (request, reply) => {
    const { id } = request.params
    const token = typeof request.body?.['token'] === 'string' ? request.body['token'].trim() : ''
    try {
      const outcome = await deleteImage(deps, id, { deleteToken: token })
      request.log.info({ imageId: id, outcome }, 'image delete')
      return reply.redirect('/gallery?deleted=1', 303)
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'FORBIDDEN') throw err
      request.log.info({ imageId: id, code: err.code }, 'image delete refused')
      const image = await findImage(id)
      if (!image) return sendHtml(reply, 404, renderImageNotFound())
      const message = token === ''
        ? 'Paste the delete token to delete this image. Nothing was deleted.'
        : 'That delete token does not match this image. Nothing was deleted.'
      return sendHtml(reply, 403, renderImagePage(image, { deleteError: message }))
    }
  })
}

function sendHtml (reply: FastifyReply, status: number, page: string): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(page)
}
