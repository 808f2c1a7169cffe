import { randomBytes } from 'node:crypto'
import { request, type Agent } from 'node:http'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'

export interface PostedFile {
  filename: string
  contentType: string
  size: number
  /** The file's bytes, streamed as they are produced (never held whole by the client). */
  body: () => Iterable<Buffer>
}

export interface Response {
  status: number
  body: string
  ms: number
}

/**
 * One multipart/form-data POST with a single field `file`, written by hand over node:http
 * with a known Content-Length: the body streams from the file's iterator with backpressure.
 */
export async function postFile (url: string, file: PostedFile, options: { agent?: Agent, timeoutMs: number }): Promise<Response> {
  const boundary = `bench${randomBytes(12).toString('hex')}`
  const preamble = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.filename}"\r\n` +
    `Content-Type: ${file.contentType}\r\n\r\n`)
  const epilogue = Buffer.from(`\r\n--${boundary}--\r\n`)
  function * parts (): Generator<Buffer> {
    yield preamble
    yield * file.body()
    yield epilogue
  }

  const started = performance.now()
  const req = request(url, {
    method: 'POST',
    agent: options.agent,
    signal: AbortSignal.timeout(options.timeoutMs),
    headers: {
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'content-length': preamble.length + file.size + epilogue.length
    }
  })
  const response = new Promise<Response>((resolve, reject) => {
    req.once('error', reject)
    req.once('response', res => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.once('error', reject)
      res.once('end', () => resolve({
        status: res.statusCode ?? 0,
        body: Buffer.concat(chunks).toString('utf8'),
        ms: performance.now() - started
      }))
    })
  })
  // A server that answers early (413, 415) may close before the body is sent: its answer counts.
  const sent = pipeline(Readable.from(parts(), { objectMode: false }), req).catch((err: unknown) => err)
  const [result, sendError] = await Promise.all([response, sent])
  if (sendError && result.status < 400) throw sendError
  return result
}
