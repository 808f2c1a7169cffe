import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import helmet, { type FastifyHelmetOptions } from '@fastify/helmet'
import type { S3Client } from '@aws-sdk/client-s3'
import type { Config } from '../config.js'

/**
 * Security headers on every response (helmet) and CORS for the configured origins only. The
 * CSP allows the app's own pages and scripts, image previews (data:, blob:), and S3's origin,
 * where the upload page sends large files with a presigned POST and image links may redirect.
 */
export async function registerSecurityHeaders (app: FastifyInstance, config: Config, s3: S3Client): Promise<void> {
  const storage = await storageOrigin(config, s3)
  const headers = await helmetHeaders({
    contentSecurityPolicy: {
      directives: {
        'default-src': ["'self'"],
        'img-src': ["'self'", 'data:', 'blob:', storage],
        'connect-src': ["'self'", storage],
        'frame-ancestors': ["'none'"],
        // Only over HTTPS: on a local http:// server it would send the browser to a port nobody serves.
        'upgrade-insecure-requests': config.mode === 'aws' ? [] : null
      }
    }
  })
  app.addHook('onRequest', (_request, reply, done) => {
    for (const [name, value] of headers) reply.raw.setHeader(name, value)
    done()
  })
  registerCors(app, new Set(config.corsOrigins))
}

type Hook = (request: unknown, reply: unknown, done: (err?: Error) => void) => unknown

/**
 * The headers helmet sets, worked out once. @fastify/helmet rebuilds helmet from its options on
 * every request (parsing and checking the CSP each time: a measurable share of a small upload's
 * CPU, bench/results.md); these headers depend on the configuration only, never on the request.
 * The plugin runs once against a stand-in instance that only collects its onRequest hooks (a
 * real throwaway Fastify and an inject cost the Lambda cold start 40 ms), and the hooks run
 * against a stand-in response that records the headers; test/security/headers.test.ts checks them.
 */
async function helmetHeaders (options: FastifyHelmetOptions): Promise<Array<[string, number | string | readonly string[]]>> {
  const hooks: Hook[] = []
  const host = {
    hasReplyDecorator: () => true,
    decorateReply: () => host,
    addHook: (name: string, hook: Hook) => { if (name === 'onRequest') hooks.push(hook) }
  }
  await (helmet as unknown as (instance: typeof host, opts: FastifyHelmetOptions) => Promise<void>)(host, { ...options, global: true })
  const headers = new Map<string, number | string | readonly string[]>()
  const raw = {
    setHeader: (name: string, value: number | string | readonly string[]) => { headers.set(name.toLowerCase(), value) },
    removeHeader: (name: string) => { headers.delete(name.toLowerCase()) }
  }
  const request = { routeOptions: { config: {} }, raw: {} }
  const reply = { raw }
  for (const hook of hooks) {
    await new Promise<void>((resolve, reject) => {
      const returned = hook(request, reply, err => { if (err) reject(err); else resolve() })
      if (returned instanceof Promise) returned.then(() => resolve(), reject)
    })
  }
  if (!headers.has('content-security-policy')) throw new Error('@fastify/helmet set no Content-Security-Policy: its hooks changed')
  return [...headers]
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
