import type { AddressInfo } from 'node:net'
import dynalite from 'dynalite'
import type { Endpoint } from './stand-ins.js'

/** dynalite alone, in memory, in this process: a DynamoDB for tests that start `node app` themselves. */
export async function startDynalite (): Promise<Endpoint> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0 })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', () => resolve()))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => new Promise(resolve => server.close(() => resolve()))
  }
}
