import { STATUS_CODES } from 'node:http'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { AppError, errors } from '../lib/errors.js'

export const errorBodySchema = {
  $id: 'ErrorBody',
  type: 'object',
  required: ['statusCode', 'error', 'code', 'message'],
  properties: {
    statusCode: { type: 'integer' },
    error: { type: 'string' },
    code: { type: 'string' },
    message: { type: 'string' }
  }
} as const

/**
 * The one place errors become responses: `{ statusCode, error, code, message }`. Client
 * errors say what to fix; a 5xx says only what a client can act on, never internals, and is
 * logged in full.
 */
export function registerErrorHandlers (app: FastifyInstance): void {
  app.addSchema(errorBodySchema)

  app.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const appError = toAppError(err, request)
    if (appError.statusCode >= 500) {
      request.log.error({ err }, 'request failed')
    } else {
      request.log.info({ code: appError.code, statusCode: appError.statusCode }, appError.message)
    }
    if (appError.retryAfter !== undefined) reply.header('retry-after', String(appError.retryAfter))
    return reply.code(appError.statusCode).type('application/json; charset=utf-8').send(bodyOf(appError))
  })
}

/**
 * Unknown routes (and unknown methods on known ones) are answered before their body is parsed,
 * and count against the client's rate limit like any other request: otherwise they would be
 * the cheapest way to make the server parse megabytes of JSON. The rest of such a body is
 * discarded unread (plugins/unread-body.ts). Needs the rate-limit plugin registered first.
 */
export function registerNotFound (app: FastifyInstance): void {
  const rateLimited = app.rateLimit()
  const answer = (request: FastifyRequest, reply: FastifyReply): FastifyReply =>
    reply.code(404).send(bodyOf(errors.notFound(`Route ${request.method} ${request.url.split('?')[0]}`)))
  app.addHook('onRequest', async function (request, reply) {
    if (!request.is404) return
    await rateLimited.call(this, request, reply)
    return answer(request, reply)
  })
  app.setNotFoundHandler(answer)
}

function bodyOf (err: AppError) {
  return { statusCode: err.statusCode, error: STATUS_CODES[err.statusCode] ?? 'Error', code: err.code, message: err.message }
}

function toAppError (err: FastifyError, request: FastifyRequest): AppError {
  if (err instanceof AppError) return err
  if (err.validation) return new AppError(400, 'VALIDATION_FAILED', err.message)
  if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' && request.routeOptions.url === '/upload') return errors.notMultipart()
  const status = err.statusCode ?? 500
  // Fastify's own client errors (bad JSON, unsupported media type, body too large) carry
  // safe messages and codes.
  if (status >= 400 && status < 500 && err.code?.startsWith('FST_')) {
    return new AppError(status, err.code.replace(/^FST_(ERR_)?/, ''), err.message)
  }
  return new AppError(500, 'INTERNAL', 'Something went wrong on our side; nothing was stored. Try again later.')
}
