import { connect, type Socket } from 'node:net'

export interface RawResponse {
  /** Status of the first response, undefined when the server closed without answering. */
  status: number | undefined
  headers: Array<[string, string]>
  body: string
  /** Everything the server sent, byte for byte (as latin1). */
  raw: string
  /** True when the server closed the connection before the client gave up waiting. */
  closedByServer: boolean
  ms: number
}

export interface RawConnection {
  socket: Socket
  write: (bytes: Buffer | string) => Promise<void>
  /** Resolves when the server closes the connection, or after `timeoutMs` (then closedByServer is false). */
  response: Promise<RawResponse>
}

/**
 * A bare TCP connection for requests no HTTP client will send: wrong Content-Length, bytes
 * dribbled one at a time, bodies cut at any offset.
 */
export function rawConnection (port: number, timeoutMs: number): RawConnection {
  const started = performance.now()
  const socket = connect({ port, host: '127.0.0.1' })
  const received: Buffer[] = []
  socket.on('data', chunk => received.push(chunk))
  const response = new Promise<RawResponse>(resolve => {
    const finish = (closedByServer: boolean): void => {
      clearTimeout(timer)
      socket.destroy()
      resolve(parse(Buffer.concat(received).toString('latin1'), closedByServer, performance.now() - started))
    }
    const timer = setTimeout(() => finish(false), timeoutMs)
    socket.once('close', () => finish(true))
    socket.on('error', () => {})
  })
  const write = (bytes: Buffer | string): Promise<void> => new Promise(resolve => {
    if (socket.destroyed) return resolve()
    socket.write(bytes, () => resolve())
  })
  return { socket, write, response }
}

/** Sends `bytes` in one go and waits for the answer. */
export async function rawRequest (port: number, bytes: Buffer | string, timeoutMs = 5_000): Promise<RawResponse> {
  const connection = rawConnection(port, timeoutMs)
  await connection.write(bytes)
  return connection.response
}

/** The head of a POST /upload with the given headers (Host and Content-Length are the caller's to give). */
export function requestHead (headers: Record<string, string | number>, path = '/upload'): string {
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`)
  return [`POST ${path} HTTP/1.1`, 'Host: 127.0.0.1', ...lines, '', ''].join('\r\n')
}

function parse (raw: string, closedByServer: boolean, ms: number): RawResponse {
  const headEnd = raw.indexOf('\r\n\r\n')
  if (!raw.startsWith('HTTP/1.1 ') || headEnd === -1) return { status: undefined, headers: [], body: '', raw, closedByServer, ms }
  const [statusLine = '', ...lines] = raw.slice(0, headEnd).split('\r\n')
  const headers = lines.map(line => {
    const colon = line.indexOf(':')
    return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()] as [string, string]
  })
  const length = Number(headers.find(([name]) => name === 'content-length')?.[1] ?? NaN)
  const rest = raw.slice(headEnd + 4)
  return {
    status: Number(statusLine.split(' ')[1]),
    headers,
    body: Number.isFinite(length) ? rest.slice(0, length) : rest,
    raw,
    closedByServer,
    ms
  }
}
