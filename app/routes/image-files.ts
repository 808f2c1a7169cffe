import type { FastifyInstance, FastifyReply } from 'fastify'
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import type { AppDeps } from '../app.js'
import { contentDisposition, variantFilename } from '../lib/content-disposition.js'
import { errors } from '../lib/errors.js'
import { imageErrors } from '../lib/image-errors.js'
import { VARIANT_NAMES, type VariantName } from '../lib/variants.js'
import { readImageItem, type ImageItem } from '../services/image-items.js'
import { idParams } from './images.js'
import { errorResponses } from './schemas.js'

/** `?download=true` asks for a file to save (attachment), not one to show (inline). */
const downloadQuery = {
  type: 'object',
  properties: { download: { type: 'boolean', default: false, description: 'Save as a file (Content-Disposition: attachment) instead of showing it' } }
} as const

interface FileRequest<Params> { Params: Params, Querystring: { download: boolean } }

const redirectResponses = {
  302: { type: 'null', description: 'To a presigned S3 URL, valid for PRESIGN_EXPIRY_SECONDS' },
  ...errorResponses(400, 404, 503)
}

/**
 * The bucket stays private: these routes answer with a short-lived presigned GET, whose
 * response headers S3 sets from the signed request (type, and a disposition built from the
 * sanitized file name).
 */
export default async function imageFileRoutes (app: FastifyInstance, { config, s3, ddb }: AppDeps): Promise<void> {
  const sendTo = async (reply: FastifyReply, target: PresignTarget) => {
    const url = await presign(s3, config.bucket, target, config.presignExpirySeconds)
    // Followed again only while the URL is still valid.
    reply.header('cache-control', `private, max-age=${Math.floor(config.presignExpirySeconds / 2)}`)
    return reply.redirect(url, 302)
  }
  const findImage = async (id: string): Promise<ImageItem> => {
    const item = await readImageItem(ddb, config.table, id)
    if (!item || item.status === 'deleting') throw errors.notFound('Image')
    return item
  }

  app.get<FileRequest<{ id: string }>>('/images/:id/original', {
    schema: { summary: 'The original file, as uploaded', params: idParams, querystring: downloadQuery, response: redirectResponses }
  }, async (request, reply) => {
    const item = await findImage(request.params.id)
    if (item.status === 'rejected') throw imageErrors.rejected(item.failureReason)
    if (item.status === 'pending') throw imageErrors.notReady('original')
    return sendTo(reply, { key: item.key, contentType: item.contentType, filename: item.filename, download: request.query.download })
  })

  app.get<FileRequest<{ id: string, variant: VariantName }>>('/images/:id/:variant', {
    schema: {
      summary: 'A WebP variant: thumb (256 px) or display (1280 px)',
      params: { ...idParams, required: ['id', 'variant'], properties: { ...idParams.properties, variant: { type: 'string', enum: VARIANT_NAMES } } },
      querystring: downloadQuery,
      response: redirectResponses
    }
  }, async (request, reply) => {
    const { variant } = request.params
    const item = await findImage(request.params.id)
    const stored = item.variants?.[variant]
    if (!stored) {
      if (item.status === 'rejected') throw imageErrors.rejected(item.failureReason)
      if (item.status === 'failed') throw imageErrors.noVariant(variant, item.failureReason)
      if (item.status === 'ready') throw errors.notFound(`The ${variant} version of this image`)
      throw imageErrors.notReady(variant)
    }
    return sendTo(reply, { key: stored.key, contentType: stored.contentType, filename: variantFilename(item.filename, variant, 'webp'), download: request.query.download })
  })
}

interface PresignTarget { key: string, contentType: string, filename: string, download: boolean }

function presign (s3: S3Client, bucket: string, target: PresignTarget, expiresIn: number): Promise<string> {
  const command = new GetObjectCommand({
    Bucket: bucket,
    Key: target.key,
    ResponseContentType: target.contentType,
    ResponseContentDisposition: contentDisposition(target.filename, target.download ? 'attachment' : 'inline')
  })
  return getSignedUrl(s3, command, { expiresIn })
}
