import { join } from 'node:path'
import type { ChildProcess } from 'node:child_process'
import { forkTs, stopChild, TMP } from './processes.js'
import type { StandIns } from './stand-ins.js'

export type DirectRequest =
  | { type: 'stream', size: number, partSize: number, queueSize: number }
  | { type: 'small', bytes: Buffer, count: number, concurrency: number }

export type DirectReply =
  | { type: 'stream', ms: number, keys: string[] }
  | { type: 'small', ms: number, keys: string[], latencies: number[] }

type Message = DirectReply | { type: 'ready' } | { type: 'error', message: string }

export interface DirectUploader {
  run: <R extends DirectRequest>(request: R, timeoutMs: number) => Promise<Extract<DirectReply, { type: R['type'] }>>
  bucket: string
  table: string
  pid: number
  stop: () => Promise<void>
}

/** The ceiling's process (direct-worker.ts), one request at a time. */
export async function startDirectUploader (standIns: StandIns): Promise<DirectUploader> {
  const bucket = 'bench-direct'
  const table = 'BenchDirect'
  const child = forkTs(join(import.meta.dirname, 'direct-worker.ts'), {
    logFile: join(TMP, 'direct.log'),
    env: { BENCH_ENDPOINTS: JSON.stringify(standIns.endpoints), BENCH_BUCKET: bucket, BENCH_TABLE: table }
  })
  await nextMessage(child, 60_000)
  return {
    bucket,
    table,
    pid: child.pid!,
    async run (request, timeoutMs) {
      child.send(request)
      const reply = await nextMessage(child, timeoutMs)
      if (reply.type !== request.type) throw new Error(`direct uploader answered ${reply.type} to ${request.type}`)
      return reply as never
    },
    stop: () => stopChild(child)
  }
}

async function nextMessage (child: ChildProcess, timeoutMs: number): Promise<Message> {
  return await new Promise((resolve, reject) => {
    const timer = setTimeout(() => { cleanup(); reject(new Error(`direct uploader silent for ${timeoutMs} ms`)) }, timeoutMs)
    const onMessage = (message: Message): void => {
      cleanup()
      if (message.type === 'error') reject(new Error(`direct uploader: ${message.message}`))
      else resolve(message)
    }
    const onExit = (code: number | null): void => { cleanup(); reject(new Error(`direct uploader exited with ${code} (see bench/.tmp/direct.log)`)) }
    const cleanup = (): void => { clearTimeout(timer); child.off('message', onMessage); child.off('exit', onExit) }
    child.on('message', onMessage)
    child.once('exit', onExit)
  })
}
