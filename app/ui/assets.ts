import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { FastifyInstance } from 'fastify'

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8'
}

interface Asset { body: Buffer, type: string, version: string }

/**
 * The browser assets, read once at start-up from ./public beside this module (the Lambda
 * bundle ships them as dist/lambda/public). Pages link them as /assets/<name>?v=<hash>, so a
 * versioned URL can be cached for a year and a new release is fetched at once.
 */
const assets = new Map<string, Asset>(['upload.js', 'image-page.js', 'gallery.js', 'style.css'].map(name => {
  const body = readFileSync(new URL(`./public/${name}`, import.meta.url))
  const type = TYPES[name.slice(name.lastIndexOf('.'))]!
  return [name, { body, type, version: createHash('sha256').update(body).digest('hex').slice(0, 12) }]
}))

export const assetUrl = (name: string): string => `/assets/${name}?v=${assets.get(name)?.version ?? '0'}`

export default async function assetRoutes (app: FastifyInstance): Promise<void> {
  app.get<{ Params: { name: string }, Querystring: { v?: string } }>('/assets/:name', {
    schema: {
      hide: true,
      params: { type: 'object', required: ['name'], properties: { name: { type: 'string', pattern: '^[a-z-]+\\.(js|css)$' } } },
      querystring: { type: 'object', properties: { v: { type: 'string', maxLength: 64 } } }
    }
  }, async (request, reply) => {
    const asset = assets.get(request.params.name)
    if (!asset) return reply.callNotFound()
    const etag = `"${asset.version}"`
    reply
      .type(asset.type)
      .header('etag', etag)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', request.query.v === asset.version ? 'public, max-age=31536000, immutable' : 'no-cache')
    if (request.headers['if-none-match'] === etag) return reply.code(304).send()
    return reply.send(asset.body)
  })
}
