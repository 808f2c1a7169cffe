import { join } from 'node:path'
import { ensureStorage } from '../../app/plugins/provision.js'
import { freePort, spawnNode, stopChild, TMP, waitFor } from './processes.js'
import { standInClients, standInEnv, type StandIns } from './stand-ins.js'

export type ServerKind = 'app' | 'peer'

export interface BenchServer {
  kind: ServerKind
  url: string
  pid: number
  bucket: string
  table: string
  stop: () => Promise<void>
}

export interface ServerOptions {
  maxUploadBytes: number
  /** Write a V8 CPU profile of the server into this directory when it exits. */
  cpuProfDir?: string
  /** Extra settings (S3_PART_SIZE, S3_QUEUE_SIZE, LOG_LEVEL). */
  env?: NodeJS.ProcessEnv
  /** Extra node flags, e.g. --trace-gc while investigating. */
  nodeArgs?: string[]
}

const ENTRY: Record<ServerKind, string[]> = {
  app: ['app'],
  peer: ['--import', 'tsx', 'bench/peers/express-multer-s3.ts']
}

/**
 * `node app` (APP_MODE=endpoints) or the Express peer as a child process on loopback, pointed
 * at the stand-ins, each with a bucket and table of its own so that counts never mix.
 */
export async function startServer (kind: ServerKind, standIns: StandIns, options: ServerOptions): Promise<BenchServer> {
  const bucket = `bench-${kind}`
  const table = `Bench${kind === 'app' ? 'App' : 'Peer'}`
  // The app provisions its own storage at boot; the peer, like most Express apps, expects it.
  if (kind === 'peer') {
    const { s3, ddb } = standInClients(standIns.endpoints)
    await ensureStorage(s3, ddb, { bucket, table })
    s3.destroy()
    ddb.destroy()
  }
  const port = await freePort()
  const profile = options.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfDir] : []
  const child = spawnNode([...profile, ...options.nodeArgs ?? [], ...ENTRY[kind]], {
    logFile: join(TMP, `${kind}.log`),
    env: {
      ...standInEnv(standIns.endpoints),
      APP_MODE: 'endpoints',
      HOST: '127.0.0.1',
      PORT: String(port),
      BUCKET_NAME: bucket,
      TABLE_NAME: table,
      MAX_UPLOAD_BYTES: String(options.maxUploadBytes),
      // One client sends every request here: the per-IP rate limit stays on but never trips,
      // and a 1 GiB upload on a busy machine may take longer than the default request timeout.
      RATE_LIMIT_MAX: '1000000000',
      RATE_LIMIT_GLOBAL_MAX: '1000000000',
      REQUEST_TIMEOUT_MS: '1800000',
      // s3rver answers CompleteMultipartUpload only after rewriting the whole object, silent all
      // the while: past 10 s (a loaded machine, 1 GiB) the socket timeout fired and the retry
      // failed. The peer's SDK clients have no timeout at all.
      AWS_REQUEST_TIMEOUT_MS: '600000',
      NODE_ENV: 'production',
      ...options.env
    }
  })
  const url = `http://127.0.0.1:${port}`
  const exited = new Promise<never>((_resolve, reject) => {
    child.once('exit', code => reject(new Error(`${kind} server exited with ${code} (see bench/.tmp/${kind}.log)`)))
  })
  exited.catch(() => {})
  await Promise.race([
    waitFor(`${kind} server`, async () => (await fetch(`${url}/health`)).ok, 60_000),
    exited
  ])
  return { kind, url, pid: child.pid!, bucket, table, stop: () => stopChild(child, 30_000) }
}
