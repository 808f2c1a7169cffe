import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'

const ROOT = join(import.meta.dirname, '..', '..')

export interface NodeAppProcess {
  child: ChildProcess
  /** Every log line printed so far, parsed. */
  logs: Array<Record<string, unknown>>
  stderr: () => string
  exited: Promise<number | null>
}

/** The environment of a machine with no AWS configuration, plus what the test sets. */
export function cleanEnv (env: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_') && name !== 'APP_MODE'))
  return { ...base, ...env }
}

/** The variables that point a child process (node app, the reconcile CLI) at stand-ins. */
export function standInEnv (endpoints: { s3: string, dynamodb: string }, region = 'us-east-1'): Record<string, string> {
  return {
    APP_MODE: 'endpoints',
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: region
  }
}

/** Runs `node app` from the repository root, exactly as the README says. */
export function spawnNodeApp (env: Record<string, string>): NodeAppProcess {
  const child = spawn(process.execPath, ['app'], { cwd: ROOT, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] })
  const logs: Array<Record<string, unknown>> = []
  let stderr = ''
  let pending = ''
  child.stdout!.on('data', (chunk: Buffer) => {
    pending += chunk.toString()
    const lines = pending.split('\n')
    pending = lines.pop() ?? ''
    for (const line of lines) {
      try { logs.push(JSON.parse(line)) } catch { logs.push({ msg: line }) }
    }
  })
  child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const exited = new Promise<number | null>(resolve => child.once('exit', code => resolve(code)))
  return { child, logs, stderr: () => stderr, exited }
}

export async function waitForLog (app: NodeAppProcess, match: (line: Record<string, unknown>) => boolean, timeoutMs = 20_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const line = app.logs.find(match)
    if (line) return line
    if (app.child.exitCode !== null) break
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  throw new Error(`log line not seen; stderr: ${app.stderr()}; logs: ${JSON.stringify(app.logs).slice(0, 2000)}`)
}

export interface StartupLine extends Record<string, unknown> {
  url: string
  s3Endpoint: string
  dynamodbEndpoint: string
}

/**
 * Waits for the startup line and reads where the app and its embedded stack listen: tests start
 * `node app` with PORT=0 (and the local stack on its default port 0), so no port is probed free
 * and then lost to another process before the child takes it.
 */
export async function waitForStartup (app: NodeAppProcess, timeoutMs = 60_000): Promise<StartupLine> {
  return await waitForLog(app, line => line['mode'] !== undefined && typeof line['url'] === 'string', timeoutMs) as StartupLine
}
