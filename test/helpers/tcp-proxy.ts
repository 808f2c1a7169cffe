import { connect, createServer, type AddressInfo, type Socket } from 'node:net'

export interface TcpProxy {
  url: string
  /** Holds every byte the upstream sends back for this long before passing it on. */
  setResponseDelay: (ms: number) => void
  close: () => Promise<void>
}

/**
 * A TCP proxy in front of a stand-in that can answer late: requests pass at once, so the
 * stand-in still applies them, while responses are held back past the client's timeout.
 */
export async function startTcpProxy (targetPort: number): Promise<TcpProxy> {
  let delay = 0
  const sockets = new Set<Socket>()
  const server = createServer(client => {
    const upstream = connect({ port: targetPort, host: '127.0.0.1' })
    sockets.add(client).add(upstream)
    let releaseAt = 0
    client.pipe(upstream)
    upstream.on('data', chunk => {
      releaseAt = Math.max(releaseAt, Date.now() + delay)
      setTimeout(() => { if (!client.destroyed) client.write(chunk) }, releaseAt - Date.now())
    })
    const closeBoth = (): void => {
      setTimeout(() => { client.destroy(); upstream.destroy() }, Math.max(0, releaseAt - Date.now()))
    }
    upstream.on('close', closeBoth)
    client.on('close', () => upstream.destroy())
    client.on('error', () => {})
    upstream.on('error', () => {})
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    setResponseDelay: ms => { delay = ms },
    close: () => new Promise(resolve => {
      for (const socket of sockets) socket.destroy()
      server.close(() => resolve())
    })
  }
}
