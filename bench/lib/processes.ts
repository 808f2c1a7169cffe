import { spawn, fork, type ChildProcess, type SpawnOptions } from 'node:child_process'
import { mkdirSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'

export const ROOT = resolve(import.meta.dirname, '..', '..')
/** Scratch space for logs, profiles and stand-in data; gitignored, removed at exit. */
export const TMP = join(ROOT, 'bench', '.tmp')

const children = new Set<ChildProcess>()
const scratch = new Set<string>()

/** A directory under bench/.tmp that is removed when this process exits, however it exits. */
export function scratchDir (name: string): string {
  const dir = join(TMP, `${name}-${process.pid}-${scratch.size}`)
  mkdirSync(dir, { recursive: true })
  scratch.add(dir)
  return dir
}

/** Starts node with `args`, its output appended to `logFile`; killed at exit if still alive. */
export function spawnNode (args: string[], options: { env?: NodeJS.ProcessEnv, logFile: string, stdout?: 'pipe' }): ChildProcess {
  mkdirSync(TMP, { recursive: true })
  const log = openSync(options.logFile, 'a')
  const spawnOptions: SpawnOptions = {
    cwd: ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', options.stdout ?? log, log]
  }
  const child = spawn(process.execPath, args, spawnOptions)
  closeSync(log)
  return track(child)
}

/** A TypeScript module as a child with an IPC channel (structured clone, so Buffers pass as-is). */
export function forkTs (module: string, options: { env?: NodeJS.ProcessEnv, logFile: string }): ChildProcess {
  mkdirSync(TMP, { recursive: true })
  const log = openSync(options.logFile, 'a')
  const child = fork(module, [], {
    cwd: ROOT,
    env: { ...process.env, ...options.env },
    execArgv: ['--import', 'tsx'],
    serialization: 'advanced',
    stdio: ['ignore', log, log, 'ipc']
  })
  closeSync(log)
  return track(child)
}

function track (child: ChildProcess): ChildProcess {
  children.add(child)
  child.once('exit', () => children.delete(child))
  return child
}

/** Asks a child to stop (SIGTERM), then kills it after `graceMs`. */
export async function stopChild (child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
  await exited
  clearTimeout(timer)
}

function cleanUp (): void {
  for (const child of children) child.kill('SIGKILL')
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true })
}
process.once('exit', cleanUp)
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => process.exit(130))
}

/** Resident set now and its high-water mark, from the kernel's view of another process. */
export function memoryOf (pid: number): { rssBytes: number, hwmBytes: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kib = (field: string): number => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)
    if (!match?.[1]) throw new Error(`no ${field} in /proc/${pid}/status`)
    return Number(match[1]) * 1024
  }
  return { rssBytes: kib('VmRSS'), hwmBytes: kib('VmHWM') }
}

/** Polls `check` every 100 ms until it returns true; throws after `timeoutMs`. */
export async function waitFor (what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  throw new Error(`${what} not ready within ${timeoutMs} ms`)
}

/** A port that was free a moment ago, for a child to listen on. */
export async function freePort (): Promise<number> {
  const { createServer } = await import('node:net')
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>(resolve => server.close(() => resolve()))
  if (!address || typeof address === 'string') throw new Error('no port')
  return address.port
}

/** CPU time (user + system, all threads) another process has used so far, in ms. */
export function cpuMsOf (pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
  const ticks = Number(fields[11]) + Number(fields[12]) // utime, stime: fields 14 and 15 of stat
  if (!Number.isFinite(ticks)) throw new Error(`unreadable /proc/${pid}/stat`)
  return ticks * 10 // USER_HZ is 100 on Linux
}
