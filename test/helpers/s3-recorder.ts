import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { SignatureV4 } from '@smithy/signature-v4'
import type { MultipartRef } from './inspect.js'
import { CREDENTIALS } from './stand-ins.js'
import { parseQuery, Sha256 } from '../../app/plugins/local-sigv4.js'

export interface S3Recorder {
  url: string
  /** Every multipart upload S3 said it started, seen on the wire (for a client in another process). */
  started: Array<MultipartRef & { bucket: string }>
  /** Every request, in order, with the Range it asked for (as S3 received it). */
  requests: Array<{ method: string, bucket: string, key: string, range?: string }>
  close: () => Promise<void>
}

/**
 * An HTTP proxy in front of an S3 stand-in that writes down each CreateMultipartUpload answer,
 * so a test can later ask S3 whether every one of them was completed or aborted, and every
 * request's method, key and Range (how often an object was read, and how much of it). Everything
 * else passes through untouched (path-style requests). The embedded stack checks signatures, so
 * a request whose Range the proxy drops is signed again with the local key.
 */
export async function startS3Recorder (target: string, options: { ignoreRange?: boolean } = {}): Promise<S3Recorder> {
  const started: S3Recorder['started'] = []
  const requests: S3Recorder['requests'] = []
  const server = createServer((req: IncomingMessage, res: ServerResponse) => { forward(req, res).catch(() => res.destroy()) })
  const forward = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', target)
    const creates = req.method === 'POST' && url.searchParams.has('uploads')
    const [, bucket = '', ...key] = url.pathname.split('/')
    const { range, ...withoutRange } = req.headers
    requests.push({ method: req.method ?? '', bucket, key: decodeURIComponent(key.join('/')), ...(range && { range }) })
    // A server that ignores Range answers with the whole object, as HTTP allows.
    const headers = options.ignoreRange && range !== undefined ? await signedAgain(req, withoutRange) : req.headers
    const upstream = request(url, { method: req.method, headers }, answer => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      if (!creates) return answer.pipe(res)
      const chunks: Buffer[] = []
      answer.on('data', (chunk: Buffer) => { chunks.push(chunk); res.write(chunk) })
      answer.on('end', () => {
        const body = Buffer.concat(chunks).toString()
        const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(body)?.[1]
        if (uploadId) started.push({ bucket, key: decodeURIComponent(key.join('/')), uploadId })
        res.end()
      })
    })
    upstream.on('error', () => res.destroy())
    req.on('error', () => upstream.destroy())
    res.on('close', () => { if (!res.writableFinished) upstream.destroy() })
    req.pipe(upstream)
  }
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    started,
    requests,
    close: () => new Promise(resolve => { server.closeAllConnections(); server.close(() => resolve()) })
  }
}

/** The request's headers signed anew with the local key (a bodiless GET or HEAD). */
async function signedAgain (req: IncomingMessage, headers: IncomingMessage['headers']): Promise<Record<string, string>> {
  const { authorization, 'x-amz-date': _, ...rest } = headers
  const region = /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(authorization ?? '')?.[1] ?? 'us-east-1'
  const url = req.url ?? '/'
  const at = url.indexOf('?')
  const signer = new SignatureV4({ service: 's3', region, credentials: CREDENTIALS, sha256: Sha256, uriEscapePath: false })
  const plain = Object.fromEntries(Object.entries(rest).filter((entry): entry is [string, string] => typeof entry[1] === 'string'))
  const signed = await signer.sign({
    method: req.method ?? 'GET',
    protocol: 'http:',
    hostname: '127.0.0.1',
    path: at === -1 ? url : url.slice(0, at),
    query: parseQuery(at === -1 ? '' : url.slice(at + 1)),
    headers: plain
  })
  return signed.headers
}
