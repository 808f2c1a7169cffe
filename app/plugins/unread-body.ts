import type { IncomingMessage } from 'node:http'
import type { FastifyInstance, FastifyRequest, FastifyReply } from 'fastify'
import type { Config } from '../config.js'

/** Room for each part's headers and boundaries in a multipart body. */
const PART_FRAMING_BYTES = 16 * 1024
/** The size of a form field's value (@fastify/multipart's fieldSize limit in app.ts). */
export const FIELD_VALUE_BYTES = 64 * 1024

/**
 * The largest body a request this app accepts can have: every file at the size limit, every
 * field at its limit, with framing. Nothing sent for a good reason is larger.
 */
export function largestRequestBytes (config: Pick<Config, 'maxFiles' | 'maxFields' | 'maxUploadBytes'>): number {
  const parts = config.maxFiles + config.maxFields
  return config.maxFiles * config.maxUploadBytes + config.maxFields * FIELD_VALUE_BYTES + parts * PART_FRAMING_BYTES
}

/**
 * Every early answer (a refused file, a rate limit, a route that takes no body) leaves the rest
 * of the request's body unread. Browsers and HTTP clients send their next request on the same
 * keep-alive connection, and Node parses it only once this body has been read: left paused
 * (the multipart parser stops reading a refused file), the connection would hang for good.
 * So when a response goes out before its request was read whole, whoever was reading it is
 * detached and the rest is read and thrown away, up to the largest body this app could accept
 * (Node's requestTimeout bounds how long that may take). A body declared larger than that, or
 * one that turns out larger, ends the connection instead: `Connection: close` when it is known
 * before the answer, otherwise the socket is closed once the answer has been sent.
 */
export function registerUnreadBodyDrain (app: FastifyInstance, config: Config): void {
  const limit = largestRequestBytes(config)
  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const raw = request.raw
    // `complete` is false only while a real connection still has body bytes coming; injected
    // requests (tests, the Lambda adapter) have no such property and no connection to keep.
    if (raw.complete !== false || raw.destroyed) return payload
    const declared = Number(raw.headers['content-length'])
    if (declared > limit) reply.header('connection', 'close')
    discardRest(raw, limit)
    return payload
  })
}

function discardRest (raw: IncomingMessage, limit: number): void {
  raw.unpipe()
  let discarded = 0
  const count = (chunk: Buffer): void => {
    discarded += chunk.length
    if (discarded <= limit) return
    raw.removeListener('data', count)
    raw.socket.destroySoon()
  }
  raw.on('data', count)
  raw.on('error', () => {})
  raw.resume()
}
