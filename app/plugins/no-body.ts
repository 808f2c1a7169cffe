import type { FastifyInstance } from 'fastify'

/**
 * The routes of the calling plugin take no body: whatever a client sends with them (a DELETE
 * with a JSON body, say) is neither parsed nor refused, only discarded after the answer
 * (plugins/unread-body.ts), so it costs no parsing.
 */
export function ignoreRequestBodies (app: FastifyInstance): void {
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', (_request, _payload, done) => { done(null) })
}
