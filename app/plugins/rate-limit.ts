import type { FastifyInstance, FastifyRequest } from 'fastify'
import rateLimit, { normalizeIP } from '@fastify/rate-limit'
import type { Config } from '../config.js'
import { errors } from '../lib/errors.js'

const UPLOAD_ROUTES = new Set(['/upload', '/uploads'])

const isUpload = (request: FastifyRequest): boolean =>
  request.method === 'POST' && UPLOAD_ROUTES.has(request.routeOptions.url ?? '')

/**
 * Per client IP (an IPv6 client by its /64): uploads have their own, tighter budget; every other
 * route shares a looser one; /health is never limited. Counters live in this process (in Lambda,
 * per container), so this stops one client from hogging an instance; a fleet-wide limit belongs
 * to API Gateway's throttling.
 */
export async function registerRateLimit (app: FastifyInstance, config: Config): Promise<void> {
  const { uploadMax, globalMax, windowMs } = config.rateLimit
  await app.register(rateLimit, {
    global: true,
    timeWindow: windowMs,
    keyGenerator: request => `${isUpload(request) ? 'upload' : 'any'}:${normalizeIP(request.ip)}`,
    max: (_request, key) => key.startsWith('upload:') ? uploadMax : globalMax,
    allowList: request => request.routeOptions.url === '/health',
    errorResponseBuilder: (_request, context) => errors.rateLimited(context.max, Math.max(1, Math.ceil(context.ttl / 1000)))
  })
}
