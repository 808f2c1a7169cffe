import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { join } from 'node:path'

export interface FauxqsProcess {
  url: string
  port: number
  child: ChildProcess
  /** SIGKILL, like a crash: every in-memory object and multipart upload is gone with it. */
  kill: () => Promise<void>
}

/** fauxqs in a child process on `port` (0: any free port). */
export async function startFauxqsProcess (port = 0): Promise<FauxqsProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fauxqs-main.ts'), String(port)], { stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()))
  const url = await new Promise<string>((resolve, reject) => {
    let stderr = ''
    child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
    const timer = setTimeout(() => reject(new Error('fauxqs did not start within 20 s')), 20_000)
    createInterface({ input: child.stdout! }).once('line', line => { clearTimeout(timer); resolve(line.trim()) })
    child.once('exit', code => { clearTimeout(timer); reject(new Error(`fauxqs exited with ${code}: ${stderr}`)) })
  })
  return {
    url,
    port: Number(new URL(url).port),
    child,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      await exited
    }
  }
}
