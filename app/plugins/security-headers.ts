import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import helmet from '@fastify/helmet'
import type { S3Client } from '@aws-sdk/client-s3'
import type { Config } from '../config.js'

/**
 * Security headers on every response (helmet) and CORS for the configured origins only. The
 * CSP allows the app's own pages and scripts, image previews (data:, blob:), and S3's origin,
 * where the upload page sends large files with a presigned POST and image links may redirect.
 */
export async function registerSecurityHeaders (app: FastifyInstance, config: Config, s3: S3Client): Promise<void> {
  const storage = await storageOrigin(config, s3)
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: {
      directives: {
        'default-src': ["'self'"],
        // helmet's defaults allow inline styles and styles and fonts from any https: host;
        // the pages need neither.
        'style-src': ["'self'"],
        'font-src': ["'self'"],
        'img-src': ["'self'", 'data:', 'blob:', storage],
        'connect-src': ["'self'", storage],
        'frame-ancestors': ["'none'"],
        // Only over HTTPS: on a local http:// server it would send the browser to a port nobody serves.
        'upgrade-insecure-requests': config.mode === 'aws' ? [] : null
      }
    }
  })
  registerCors(app, new Set(config.corsOrigins))
}

/** Where presigned S3 URLs point: the configured endpoint (path style) or the bucket's regional host. */
async function storageOrigin (config: Config, s3: S3Client): Promise<string> {
  const endpoint = await s3.config.endpoint?.()
  if (endpoint) return `${endpoint.protocol}//${endpoint.hostname}${endpoint.port ? `:${endpoint.port}` : ''}`
  return `https://${config.bucket}.s3.${config.region}.amazonaws.com`
}

const ALLOWED_METHODS = 'GET, HEAD, POST, DELETE'
const ALLOWED_HEADERS = 'content-type, accept, x-api-key, x-delete-token'

/**
 * A deliberately small CORS: a listed Origin is echoed back (with Vary: Origin), anything else
 * gets no CORS header, so the browser keeps the response from the calling page. Preflights are
 * answered here before routing, as 204 either way.
 */
function registerCors (app: FastifyInstance, origins: ReadonlySet<string>): void {
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const origin = request.headers.origin
    reply.header('vary', 'Origin')
    const allowed = origin !== undefined && origins.has(origin)
    if (allowed) reply.header('access-control-allow-origin', origin)
    if (request.method !== 'OPTIONS' || request.headers['access-control-request-method'] === undefined) return
    if (allowed) {
      reply.header('access-control-allow-methods', ALLOWED_METHODS)
      reply.header('access-control-allow-headers', ALLOWED_HEADERS)
      reply.header('access-control-max-age', '600')
    }
    return reply.code(204).send()
  })
}
