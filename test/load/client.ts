import { randomBytes } from 'node:crypto'
import { request, type Agent } from 'node:http'
import type { Job } from './jobs.js'

export interface Answer { status: number, body: string, ms: number }

/** The job as one multipart/form-data request body with its content type. */
export function encode (job: Job): { body: Buffer, contentType: string } {
  if (job.raw) return { body: job.raw, contentType: 'multipart/form-data; boundary=load' }
  const boundary = `load${randomBytes(8).toString('hex')}`
  const parts = job.files.flatMap(file => [
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    file.content,
    Buffer.from('\r\n')
  ])
  return { body: Buffer.concat([...parts, Buffer.from(`--${boundary}--\r\n`)]), contentType: `multipart/form-data; boundary=${boundary}` }
}

/** POSTs the job to /upload on a keep-alive agent; an early answer (413, 415) counts even if the body was cut short. */
export function send (url: string, agent: Agent, job: Job, timeoutMs: number): Promise<Answer> {
  const { body, contentType } = encode(job)
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const req = request(`${url}/upload`, {
      method: 'POST',
      agent,
      signal: AbortSignal.timeout(timeoutMs),
      headers: { 'content-type': contentType, 'content-length': body.length, accept: 'application/json' }
    }, res => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.once('error', reject)
      res.once('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), ms: performance.now() - started }))
    })
    req.once('error', reject)
    req.end(body)
  })
}
