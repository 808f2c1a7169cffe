import { createRequire } from 'node:module'
import type { IncomingMessage } from 'node:http'
import { admitPostObject, PolicyRefused } from './local-s3-post-policy.js'
import { parseQuery, SignatureRefused, SigV4Verifier, type LocalKey, type Refusal } from './local-sigv4.js'

/*
 * s3rver 3.7.1 serves unsigned requests, accepts any SigV4 signature from a known access key
 * (it checks only the key id and the clock) and ignores POST policies. This Koa middleware, put
 * in front of s3rver's router, makes it refuse what S3 refuses for the flows this app uses:
 * every request signed with the local key (header or presigned URL, within its expiry), and
 * browser form uploads only within their signed policy. CORS preflights carry no credentials
 * and stay with s3rver's bucket CORS rules.
 * The local key is no secret (test/test, printed in the logs and the README), so any web page
 * could sign with it, and a form POST needs no preflight: browsers are answered only for pages
 * served from loopback (their Origin header), where the app's own pages are.
 */

interface KoaContext {
  method: string
  req: IncomingMessage
}
type Middleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void>
type S3ErrorClass = new (code: string, message: string, detail?: Record<string, string>) => Error
const S3Error = createRequire(import.meta.url)('s3rver/lib/models/error.js') as S3ErrorClass

const CODES: Record<Refusal, { header: string, query: string }> = {
  missing: { header: 'AccessDenied', query: 'AccessDenied' },
  malformed: { header: 'AuthorizationHeaderMalformed', query: 'AuthorizationQueryParametersError' },
  'unknown-key': { header: 'InvalidAccessKeyId', query: 'InvalidAccessKeyId' },
  mismatch: { header: 'SignatureDoesNotMatch', query: 'SignatureDoesNotMatch' },
  skewed: { header: 'RequestTimeTooSkewed', query: 'RequestTimeTooSkewed' },
  expired: { header: 'AccessDenied', query: 'AccessDenied' }
}

export function localS3Guard (key: LocalKey, spoolDir: string): Middleware {
  const verifier = new SigV4Verifier(key, 's3')
  return async function localS3Guard (ctx, next) {
    const origin = ctx.req.headers.origin
    if (origin !== undefined && !isLoopbackOrigin(origin)) {
      throw new S3Error('AccessDenied', 'The local S3 answers browsers only for pages served from a loopback address')
    }
    if (ctx.method === 'OPTIONS') return next()
    const url = ctx.req.url ?? '/'
    const at = url.indexOf('?')
    const rawPath = at === -1 ? url : url.slice(0, at)
    const search = at === -1 ? '' : url.slice(at + 1)
    const headerAuth = ctx.req.headers.authorization !== undefined
    let cleanup: (() => Promise<void>) | undefined
    try {
      const query = parseQuery(search)
      const bucket = formUploadBucket(ctx.method, rawPath, search)
      if (bucket !== undefined && !verifier.hasCredentials({ method: ctx.method, rawPath, query, headers: ctx.req.headers })) {
        const admitted = await admitPostObject(ctx.req, bucket, verifier, spoolDir)
        cleanup = admitted.cleanup
        // s3rver parses the form from ctx.req: hand it the checked bytes from the spool.
        ctx.req = Object.assign(admitted.body, { headers: ctx.req.headers }) as unknown as IncomingMessage
      } else {
        await verifier.verify({ method: ctx.method, rawPath, query, headers: ctx.req.headers }, () => {
          const hash = ctx.req.headers['x-amz-content-sha256']
          if (typeof hash !== 'string') throw new SignatureRefused('malformed', 'Missing required header for this request: x-amz-content-sha256')
          return hash
        })
      }
    } catch (err) {
      await cleanup?.()
      if (err instanceof SignatureRefused) throw new S3Error(CODES[err.reason][headerAuth ? 'header' : 'query'], err.message)
      if (err instanceof PolicyRefused) throw new S3Error(err.code, err.message)
      throw err
    }
    try {
      await next()
    } finally {
      await cleanup?.()
    }
  }
}

/** http(s)://localhost, 127.x.x.x or [::1] (any port); `null` and every other origin are refused. */
export function isLoopbackOrigin (origin: string): boolean {
  let url: URL
  try {
    url = new URL(origin)
  } catch {
    return false
  }
  if (url.origin !== origin || (url.protocol !== 'http:' && url.protocol !== 'https:')) return false
  return url.hostname === 'localhost' || url.hostname.endsWith('.localhost') || url.hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(url.hostname)
}

/** POST /<bucket> with no subresource is S3's browser form upload; anything else is an API call. */
function formUploadBucket (method: string, rawPath: string, search: string): string | undefined {
  if (method !== 'POST' || search !== '') return undefined
  const match = /^\/([^/]+)\/?$/.exec(rawPath)
  try {
    return match === null ? undefined : decodeURIComponent(match[1] as string)
  } catch {
    return undefined
  }
}

/** Puts the guard in front of s3rver's routes (after its logger and error rendering). */
export function installLocalS3Guard (s3rver: object, guard: Middleware): void {
  const middleware = (s3rver as { middleware: Middleware[] }).middleware
  const router = middleware.length - 1
  middleware.splice(router, 0, guard)
}
