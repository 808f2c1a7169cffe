import type { FastifyRequest, FastifyServerOptions } from 'fastify'

type LoggerOption = FastifyServerOptions['logger']

/**
 * Request log lines carry the path without its query string: a client that puts a secret in
 * the URL by mistake (`DELETE /images/<id>?token=...`) must not have it written to the logs.
 */
export function pathOnlyRequestLines (logger: LoggerOption): LoggerOption {
  if (typeof logger !== 'object' || logger === null) return logger
  return { ...logger, serializers: { ...logger.serializers, req: requestLine } }
}

function requestLine (request: FastifyRequest): Record<string, unknown> {
  return {
    method: request.method,
    url: request.url.split('?')[0],
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort
  }
}
