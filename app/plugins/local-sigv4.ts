import { createHash, createHmac, timingSafeEqual, type Hash, type Hmac } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import { getCanonicalHeaders, getSigningKey, SignatureV4Base } from '@smithy/signature-v4'
import type { HttpRequest, QueryParameterBag, SourceData } from '@smithy/types'

/*
 * Signature Version 4 checks for the embedded stand-ins, which verify none themselves (s3rver
 * only checks that the access key exists; dynalite that an Authorization header is there). The
 * canonical request and the signing key come from the SDK's own signer, so a request is accepted
 * exactly when the SDK, signing it with the local key, would have produced the same signature.
 */

export interface LocalKey { accessKeyId: string, secretAccessKey: string }

/** Why a request was refused: a name both S3 and DynamoDB error shapes can be built from. */
export type Refusal =
  | 'missing' // no credentials at all
  | 'malformed' // credentials present but not readable
  | 'unknown-key' // an access key other than the local one
  | 'mismatch' // the signature is not the local key's
  | 'skewed' // header auth more than 15 minutes off
  | 'expired' // presigned URL or POST policy past its time

export class SignatureRefused extends Error {
  constructor (readonly reason: Refusal, message: string) {
    super(message)
  }
}

const MAX_SKEW_MS = 15 * 60 * 1000
const MAX_PRESIGNED_SECONDS = 7 * 24 * 3600

/** SHA-256 and HMAC-SHA-256 from node:crypto in the shape the SDK's signer takes. */
export class Sha256 {
  private hash
  private readonly secret: Uint8Array | string | undefined
  constructor (secret?: SourceData) {
    this.secret = secret === undefined || typeof secret === 'string' ? secret : toBytes(secret)
    this.hash = this.fresh()
  }

  update (data: Uint8Array): void { this.hash.update(data) }
  async digest (): Promise<Uint8Array> { return this.hash.digest() }
  reset (): void { this.hash = this.fresh() }
  private fresh (): Hash | Hmac { return this.secret === undefined ? createHash('sha256') : createHmac('sha256', this.secret) }
}

function toBytes (data: ArrayBuffer | ArrayBufferView): Uint8Array {
  return ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data)
}

/** The SDK's canonicalisation, opened up (its methods are protected). */
class CanonicalRequests extends SignatureV4Base {
  constructor (service: string, uriEscapePath: boolean) {
    super({ service, region: 'us-east-1', credentials: { accessKeyId: '', secretAccessKey: '' }, sha256: Sha256, uriEscapePath })
  }

  async stringToSign (request: HttpRequest, canonicalHeaders: Record<string, string>, payloadHash: string, longDate: string, scope: string): Promise<string> {
    return this.createStringToSign(longDate, scope, this.createCanonicalRequest(request, canonicalHeaders, payloadHash), 'AWS4-HMAC-SHA256')
  }
}

export interface IncomingSigned {
  method: string
  /** The path as it came on the wire (still percent-encoded). */
  rawPath: string
  query: QueryParameterBag
  headers: IncomingHttpHeaders
}

interface Credential { accessKeyId: string, shortDate: string, region: string, service: string }

export class SigV4Verifier {
  private readonly canonical: CanonicalRequests
  constructor (private readonly key: LocalKey, private readonly service: 's3' | 'dynamodb', private readonly now: () => number = Date.now) {
    // S3 signs the path as sent; other services normalise and encode it again.
    this.canonical = new CanonicalRequests(service, service !== 's3')
  }

  hasCredentials (request: IncomingSigned): boolean {
    return request.headers.authorization !== undefined || request.query['X-Amz-Algorithm'] !== undefined || request.query['X-Amz-Signature'] !== undefined
  }

  /** Header (Authorization) or query (presigned URL) authentication; throws SignatureRefused. */
  async verify (request: IncomingSigned, payloadHash: () => string): Promise<void> {
    const header = request.headers.authorization
    const presigned = request.query['X-Amz-Algorithm'] !== undefined
    if (header === undefined && !presigned) throw new SignatureRefused('missing', 'Request is missing Authentication Token')
    if (header !== undefined && presigned) throw new SignatureRefused('malformed', 'Only one auth mechanism allowed')
    if (header !== undefined) return this.verifyHeader(request, header, payloadHash)
    return this.verifyQuery(request)
  }

  private async verifyHeader (request: IncomingSigned, header: string, payloadHash: () => string): Promise<void> {
    const match = /^AWS4-HMAC-SHA256 +Credential=([^, ]+), *SignedHeaders=([^, ]+), *Signature=([0-9a-f]{64})$/.exec(header.trim())
    if (match === null) throw new SignatureRefused('malformed', 'The authorization header is malformed')
    const [, credentialText, signedList, signature] = match as unknown as [string, string, string, string]
    const longDate = single(request.headers['x-amz-date'])
    if (longDate === undefined) throw new SignatureRefused('malformed', 'Signed requests need an x-amz-date header')
    const credential = this.credential(credentialText, longDate)
    const signedAt = parseLongDate(longDate)
    if (Math.abs(this.now() - signedAt) > MAX_SKEW_MS) throw new SignatureRefused('skewed', 'The difference between the request time and the current time is too large.')
    const query = { ...request.query }
    await this.compare(request, query, signedList, payloadHash(), longDate, credential, signature)
  }

  private async verifyQuery (request: IncomingSigned): Promise<void> {
    const q = request.query
    const [algorithm, credentialText, longDate, expires, signedList, signature] =
      ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature'].map(name => q[name])
    if (algorithm !== 'AWS4-HMAC-SHA256' || typeof credentialText !== 'string' || typeof longDate !== 'string' ||
        typeof expires !== 'string' || typeof signedList !== 'string' || typeof signature !== 'string' || !/^\d{1,7}$/.test(expires)) {
      throw new SignatureRefused('malformed', 'Query-string authentication requires X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders and X-Amz-Expires')
    }
    const credential = this.credential(credentialText, longDate)
    const signedAt = parseLongDate(longDate)
    const seconds = Number(expires)
    if (seconds > MAX_PRESIGNED_SECONDS) throw new SignatureRefused('malformed', 'X-Amz-Expires must be less than a week (in seconds)')
    if (signedAt - this.now() > MAX_SKEW_MS) throw new SignatureRefused('expired', 'Request is not yet valid')
    if (this.now() > signedAt + seconds * 1000) throw new SignatureRefused('expired', 'Request has expired')
    const { 'X-Amz-Signature': _, ...query } = q
    const payloadHash = single(request.headers['x-amz-content-sha256']) ?? 'UNSIGNED-PAYLOAD'
    await this.compare(request, query, signedList, payloadHash, longDate, credential, signature)
  }

  /** A POST policy's signature: HMAC of the base64 policy text with the day's signing key. */
  async verifyPolicy (policy: string, credentialText: string, longDate: string, signature: string): Promise<void> {
    const credential = this.credential(credentialText, longDate)
    parseLongDate(longDate)
    const key = await getSigningKey(Sha256, this.key, credential.shortDate, credential.region, credential.service)
    const expected = createHmac('sha256', key).update(policy).digest('hex')
    if (!sameHex(expected, signature)) throw new SignatureRefused('mismatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.')
  }

  private credential (text: string, longDate: string): Credential {
    const parts = text.split('/')
    if (parts.length !== 5 || parts[4] !== 'aws4_request') throw new SignatureRefused('malformed', 'The credential is malformed')
    const [accessKeyId, shortDate, region, service] = parts as [string, string, string, string]
    if (accessKeyId !== this.key.accessKeyId) throw new SignatureRefused('unknown-key', 'The AWS Access Key Id you provided does not exist in our records.')
    if (service !== this.service || region === '' || shortDate !== longDate.slice(0, 8)) throw new SignatureRefused('malformed', 'The credential scope does not match this request')
    return { accessKeyId, shortDate, region, service }
  }

  private async compare (request: IncomingSigned, query: QueryParameterBag, signedList: string, payloadHash: string,
    longDate: string, credential: Credential, signature: string): Promise<void> {
    const signed = signedList.split(';')
    if (!signed.includes('host')) throw new SignatureRefused('malformed', 'The host header must be signed')
    const headers: Record<string, string> = {}
    for (const name of signed) {
      const value = request.headers[name]
      if (value === undefined) throw new SignatureRefused('mismatch', `The signed header ${name} is missing`)
      headers[name] = Array.isArray(value) ? value.join(',') : value
    }
    const httpRequest = { method: request.method, protocol: 'http:', hostname: '', path: request.rawPath, query, headers } as unknown as HttpRequest
    const canonicalHeaders = getCanonicalHeaders(httpRequest, undefined, new Set(signed))
    if (Object.keys(canonicalHeaders).sort().join(';') !== signedList) throw new SignatureRefused('malformed', 'SignedHeaders must be sorted, lowercase names')
    const scope = `${credential.shortDate}/${credential.region}/${credential.service}/aws4_request`
    const stringToSign = await this.canonical.stringToSign(httpRequest, canonicalHeaders, payloadHash, longDate, scope)
    const key = await getSigningKey(Sha256, this.key, credential.shortDate, credential.region, credential.service)
    const expected = createHmac('sha256', key).update(stringToSign).digest('hex')
    if (!sameHex(expected, signature)) throw new SignatureRefused('mismatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.')
  }
}

/** ?a=1&b&a=2 as the SDK's signer sees a query: decoded names and values, repeats as arrays. */
export function parseQuery (search: string): QueryParameterBag {
  const query: Record<string, string | string[]> = {}
  for (const pair of search.replace(/^\?/, '').split('&')) {
    if (pair === '') continue
    const at = pair.indexOf('=')
    const name = safeDecode(at === -1 ? pair : pair.slice(0, at))
    const value = at === -1 ? '' : safeDecode(pair.slice(at + 1))
    const previous = query[name]
    query[name] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value]
  }
  return query
}

function safeDecode (text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    throw new SignatureRefused('malformed', 'The query string is not properly encoded')
  }
}

function single (value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? undefined : value
}

export function parseLongDate (longDate: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(longDate)
  if (m === null) throw new SignatureRefused('malformed', 'X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd\'T\'HHmmss\'Z\'"')
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]))
}

function sameHex (expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8')
  const b = Buffer.from(given, 'utf8')
  return a.length === b.length && timingSafeEqual(a, b)
}
