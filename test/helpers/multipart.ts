import { readFileSync } from 'node:fs'
import { join } from 'node:path'

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures')

export const fixture = (name: string): Buffer => readFileSync(join(FIXTURES, name))

export interface FilePart {
  field?: string
  filename: string
  content: Uint8Array
  type?: string
}

/** A real multipart/form-data body, serialized by the platform's FormData. */
export async function multipartBody (files: FilePart[], fields: Record<string, string> = {}): Promise<{ payload: Buffer, headers: Record<string, string> }> {
  const form = new FormData()
  for (const [name, value] of Object.entries(fields)) form.append(name, value)
  for (const file of files) {
    form.append(file.field ?? 'file', new Blob([new Uint8Array(file.content)], { type: file.type ?? 'application/octet-stream' }), file.filename)
  }
  const request = new Request('http://localhost/upload', { method: 'POST', body: form })
  return {
    payload: Buffer.from(await request.arrayBuffer()),
    headers: { 'content-type': request.headers.get('content-type')! }
  }
}

/** A multipart body written by hand, for inputs FormData refuses to produce. */
export function rawMultipart (boundary: string, parts: Array<{ headers: string[], body: string | Buffer }>, end = true): Buffer {
  const chunks: Buffer[] = []
  for (const part of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n${part.headers.join('\r\n')}\r\n\r\n`))
    chunks.push(Buffer.isBuffer(part.body) ? part.body : Buffer.from(part.body))
    chunks.push(Buffer.from('\r\n'))
  }
  if (end) chunks.push(Buffer.from(`--${boundary}--\r\n`))
  return Buffer.concat(chunks)
}

/** A valid 64x48 PNG followed by filler up to `size` bytes: real header, any length. */
export function largePng (size: number): Buffer {
  const png = fixture('image.png')
  const filler = Buffer.alloc(size - png.length)
  for (let i = 0; i + 4 <= filler.length; i += 4096) filler.writeUInt32BE(i, i)
  return Buffer.concat([png, filler])
}

/**
 * A PNG whose header announces `side` x `side` pixels, followed by one IDAT chunk of zeros up
 * to `size` bytes: refused from its header (422) when `side` is too large.
 */
export function pngAnnouncing (side: number, size: number): Buffer {
  const header = Buffer.from(fixture('image.png').subarray(0, 33))
  header.writeUInt32BE(side, 16)
  header.writeUInt32BE(side, 20)
  const data = Buffer.alloc(size - header.length - 12)
  const chunkHead = Buffer.alloc(8)
  chunkHead.writeUInt32BE(data.length, 0)
  chunkHead.write('IDAT', 4, 'latin1')
  return Buffer.concat([header, chunkHead, data, Buffer.alloc(4)])
}
