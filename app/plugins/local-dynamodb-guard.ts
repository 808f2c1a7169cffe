import { createHash } from 'node:crypto'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import { Readable } from 'node:stream'
import { parseQuery, SignatureRefused, SigV4Verifier, type LocalKey, type Refusal } from './local-sigv4.js'

/*
 * dynalite 4.0.0 checks only that a request carries an Authorization header, and answers every
 * request that has an Origin with Access-Control-Allow-Origin: *, preflights included. This
 * wraps its request handler: a request must be signed with the local key (the SDK's signature,
 * body hash included), and browsers get no CORS at all (this app never calls DynamoDB from a
 * page), so no web page can send the X-Amz-Target and Authorization headers DynamoDB needs.
 */

type Handler = (req: IncomingMessage, res: ServerResponse) => void

/** DynamoDB's largest request (BatchWriteItem) is 16 MB; refuse anything bigger unread. */
const MAX_BODY_BYTES = 16 * 1024 * 1024

const TYPES: Record<Refusal, string> = {
  missing: 'MissingAuthenticationTokenException',
  malformed: 'IncompleteSignatureException',
  'unknown-key': 'UnrecognizedClientException',
  mismatch: 'InvalidSignatureException',
  skewed: 'InvalidSignatureException',
  expired: 'InvalidSignatureException'
}

export function guardDynalite (server: Server, key: LocalKey): void {
  const [original, ...others] = server.listeners('request') as Handler[]
  if (original === undefined || others.length > 0) throw new Error('expected dynalite to have exactly one request handler')
  const verifier = new SigV4Verifier(key, 'dynamodb')
  server.removeAllListeners('request')
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'OPTIONS') {
      refuse(res, 403, { __type: 'com.amazon.coral.service#AccessDeniedException', message: 'Cross-origin requests are not allowed' })
      req.resume()
      return
    }
    readBody(req).then(async body => {
      if (body === undefined) return refuse(res, 413, { __type: 'com.amazon.coral.service#SerializationException', message: 'Request too large' })
      const url = req.url ?? '/'
      const at = url.indexOf('?')
      const rawPath = at === -1 ? url : url.slice(0, at)
      const query = parseQuery(at === -1 ? '' : url.slice(at + 1))
      try {
        await verifier.verify({ method: req.method ?? 'POST', rawPath, query, headers: req.headers },
          () => createHash('sha256').update(body).digest('hex'))
      } catch (err) {
        if (!(err instanceof SignatureRefused)) throw err
        return refuse(res, 400, { __type: `com.amazon.coral.service#${TYPES[err.reason]}`, message: err.message })
      }
      const { origin: _, ...headers } = req.headers
      original(Object.assign(Readable.from(body.length === 0 ? [] : [body]), { headers, method: req.method, url: req.url }) as unknown as IncomingMessage, res)
    }).catch(() => {
      if (!res.headersSent) refuse(res, 500, { __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError' })
      else res.destroy()
    })
  })
}

/** The whole body (DynamoDB signs its hash), or undefined when it is larger than DynamoDB allows. */
async function readBody (req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > MAX_BODY_BYTES) {
      req.destroy()
      return undefined
    }
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}

function refuse (res: ServerResponse, status: number, body: { __type: string, message?: string }): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.0', 'Content-Length': Buffer.byteLength(text) })
  res.end(text)
}
