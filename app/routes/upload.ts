import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../app.js'
import { errors } from '../lib/errors.js'
import { receiveUpload } from '../services/receive-upload.js'
import { errorResponses } from './schemas.js'

export default async function uploadRoutes (app: FastifyInstance, { config, s3, ddb }: AppDeps): Promise<void> {
  // Shutdown (app.close) waits for these: an upload cut when the grace period ends still has
  // its multipart upload to abort and its writes to roll back after its connection is gone.
  const inFlight = new Set<Promise<unknown>>()
  app.addHook('onClose', async () => { await Promise.allSettled(inFlight) })

  app.post('/upload', {
    schema: {
      summary: 'Upload one or more images (multipart/form-data, field "file")',
      description: 'All or nothing: if any file is refused, nothing from the request is stored.',
      response: {
        201: {
          anyOf: [
            { $ref: 'UploadedImage#' },
            { type: 'object', required: ['images'], properties: { images: { type: 'array', items: { $ref: 'UploadedImage#' } } } }
          ]
        },
        303: { type: 'null', description: 'Browser form posts are redirected to the image page' },
        ...errorResponses(400, 413, 415, 422, 500, 503)
      }
    }
  }, async (request, reply) => {
    if (!request.isMultipart()) throw errors.notMultipart()
    const started = performance.now()
    const receiving = receiveUpload(request.parts()[Symbol.asyncIterator](), { config, s3, ddb, log: request.log })
    inFlight.add(receiving)
    const images = await receiving.finally(() => inFlight.delete(receiving))
    const ms = Math.round(performance.now() - started)
    for (const image of images) {
      request.log.info({ imageId: image.id, contentType: image.contentType, bytes: image.size, ms }, 'image stored')
    }

    const first = images[0]!
    if (request.accepts().type(['application/json', 'text/html']) === 'text/html') {
      // A form post has no other way to hand over the one-time delete tokens, so they ride in the
      // fragment: browsers never send a fragment to any server (nor in Referer), so no access log,
      // proxy or API Gateway sees it; the page's script moves them to localStorage and strips them
      // from the address. Several files land on the gallery with #tokens=<id>:<token>,...
      return reply.redirect(images.length === 1
        ? `/gallery/${first.id}#token=${first.deleteToken}`
        : `/gallery#tokens=${images.map(image => `${image.id}:${image.deleteToken}`).join(',')}`, 303)
    }
    reply.header('location', `${config.publicUrl}/images${images.length === 1 ? `/${first.id}` : ''}`)
    return reply.code(201).send(images.length === 1 ? first : { images })
  })
}
