import { createInterface } from 'node:readline'
import { join } from 'node:path'
import { loadConfig } from '../../app/config.js'
import { createAwsClients, type AwsClients } from '../../app/plugins/aws-clients.js'
import { LOCAL_CREDENTIALS } from '../../app/plugins/local-stack.js'
import { scratchDir, spawnNode, stopChild, TMP } from './processes.js'

export const REGION = 'us-east-1'

export interface StandIns {
  endpoints: { s3: string, dynamodb: string }
  pid: number
  stop: () => Promise<void>
}

/**
 * s3rver + dynalite in their own process (the app's embedded stack, started by
 * stand-ins-main.ts).
 */
export async function startStandIns (): Promise<StandIns> {
  const dataDir = scratchDir('stand-ins')
  const child = spawnNode(['--import', 'tsx', 'bench/lib/stand-ins-main.ts', dataDir], {
    logFile: join(TMP, 'stand-ins.log'),
    stdout: 'pipe'
  })
  const firstLine = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! })
    const timer = setTimeout(() => reject(new Error('stand-ins did not start within 30 s')), 30_000)
    lines.once('line', line => { clearTimeout(timer); lines.close(); resolve(line) })
    child.once('exit', code => { clearTimeout(timer); reject(new Error(`stand-ins exited with ${code} (see bench/.tmp/stand-ins.log)`)) })
  })
  return {
    endpoints: JSON.parse(firstLine) as StandIns['endpoints'],
    pid: child.pid!,
    stop: () => stopChild(child)
  }
}

/**
 * The app's own clients (app/plugins/aws-clients.ts: path style, checksums only when required,
 * unsigned part payloads on loopback), so the direct ceiling runs the SDK exactly as the app
 * does. The socket timeout is as long as the app's in the bench (lib/servers.ts): s3rver is
 * silent while it completes a 1 GiB upload.
 */
export function standInClients (endpoints: StandIns['endpoints']): AwsClients {
  const config = loadConfig({
    APP_MODE: 'endpoints',
    AWS_REGION: REGION,
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_REQUEST_TIMEOUT_MS: '600000'
  })
  return createAwsClients(config, { endpoints, credentials: LOCAL_CREDENTIALS })
}

/** Environment for a server (ours or the peer) pointed at the stand-ins. */
export function standInEnv (endpoints: StandIns['endpoints']): NodeJS.ProcessEnv {
  return {
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey
  }
}
