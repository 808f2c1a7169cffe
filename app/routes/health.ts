import type { FastifyInstance } from 'fastify'

export default async function healthRoutes (app: FastifyInstance): Promise<void> {
  app.get('/health', {
    schema: {
      summary: 'Liveness check',
      response: { 200: { type: 'object', required: ['status'], properties: { status: { type: 'string', const: 'ok' } } } }
    }
  }, async () => ({ status: 'ok' as const }))
}
