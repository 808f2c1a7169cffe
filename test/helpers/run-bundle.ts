import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'

export interface BundleProcess {
  /** Calls the bundle's handler in the child, as the Lambda runtime would. */
  invoke: <T = unknown>(event: unknown, context: unknown) => Promise<T>
  /** Every stdout line so far (the function's logs). */
  stdout: string[]
  stop: () => Promise<void>
}

// Imports the bundle once (the cold start), then answers one IPC message per invocation.
const RUNNER = `
  const { handler } = await import(process.env.BUNDLE_URL)
  process.on('message', ({ id, event, context }) => {
    Promise.resolve(handler(event, context)).then(
      result => process.send({ id, result }),
      err => process.send({ id, error: String(err && err.stack || err) }))
  })
  process.send({ ready: true })`

/**
 * Runs a bundle in a fresh `node` started in the bundle's folder, with only the given
 * environment: no project node_modules, no loader hooks, no instrumentation, as in a Lambda
 * container. (Importing a 2 MiB bundle under tap's coverage hooks takes tens of seconds.)
 */
export async function startBundle (bundlePath: string, env: Record<string, string> = {}): Promise<BundleProcess> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', RUNNER], {
    cwd: dirname(bundlePath),
    env: { PATH: process.env['PATH'] ?? '', ...env, BUNDLE_URL: pathToFileURL(bundlePath).href },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc']
  })
  const stdout: string[] = []
  let partial = ''
  let stderr = ''
  child.stdout!.on('data', (chunk: Buffer) => {
    const text = partial + chunk.toString()
    const lines = text.split('\n')
    partial = lines.pop() ?? ''
    stdout.push(...lines.filter(Boolean))
  })
  child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()))

  const pending = new Map<number, { resolve: (value: unknown) => void, reject: (err: Error) => void }>()
  let nextId = 0
  child.on('message', (message: { ready?: boolean, id: number, result?: unknown, error?: string }) => {
    const call = pending.get(message.id)
    if (!call) return
    pending.delete(message.id)
    if (message.error !== undefined) call.reject(new Error(message.error))
    else call.resolve(message.result)
  })
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve())
    child.once('exit', code => reject(new Error(`bundle exited with ${code} before it was ready: ${stderr}`)))
  })
  child.on('exit', code => {
    for (const call of pending.values()) call.reject(new Error(`bundle exited with ${code}: ${stderr}`))
  })

  return {
    invoke: <T>(event: unknown, context: unknown) => new Promise<T>((resolve, reject) => {
      const id = nextId++
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject })
      child.send({ id, event, context })
    }),
    stdout,
    async stop () {
      child.kill()
      await exited
    }
  }
}

/** The node_modules folder nearest above `dir`, if any: a bundle could silently resolve from it. */
export function nodeModulesAbove (dir: string): string | undefined {
  for (let current = dir; ; current = dirname(current)) {
    if (existsSync(join(current, 'node_modules'))) return join(current, 'node_modules')
    if (dirname(current) === current) return undefined
  }
}
