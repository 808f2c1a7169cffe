// The embedded stand-ins ship no type declarations; these cover what the project uses.
declare module 's3rver' {
  import type { EventEmitter } from 'node:events'
  import type { AddressInfo } from 'node:net'
  interface S3rverOptions {
    address?: string
    port?: number
    silent?: boolean
    directory?: string
    resetOnClose?: boolean
    configureBuckets?: Array<{ name: string, configs?: Array<string | Buffer> }>
  }
  class S3rver extends EventEmitter {
    constructor (options: S3rverOptions)
    run (): Promise<AddressInfo>
    close (): Promise<void>
  }
  export default S3rver
}

declare module 's3rver/lib/models/account.js' {
  export const DUMMY_ACCOUNT: { createKeyPair (accessKeyId: string, secretAccessKey: string): void }
}

declare module 'dynalite' {
  import type { Server } from 'node:http'
  export default function dynalite (options?: { path?: string, createTableMs?: number, deleteTableMs?: number, updateTableMs?: number }): Server
}
