import { readFileSync } from 'node:fs'

const MiB = 1024 * 1024

/** Resident set size of another process, from the kernel (bytes). */
export function rssOf (pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  if (!match?.[1]) throw new Error(`no VmRSS for process ${pid}`)
  return Number(match[1]) * 1024
}

/** Samples a process's RSS every `everyMs` until stopped; returns the highest value seen. */
export function sampleRss (pid: number, everyMs = 100): { stop: () => number } {
  let peak = rssOf(pid)
  const timer = setInterval(() => {
    try { peak = Math.max(peak, rssOf(pid)) } catch {}
  }, everyMs)
  return { stop: () => { clearInterval(timer); return Math.max(peak, rssOf(pid)) } }
}

/**
 * RSS once the process is idle: after at least `idleMs`, and for up to `timeoutMs` while it is
 * still over `baseline + slack` (V8 shrinks its heap some seconds after the allocation rate drops).
 */
export async function settledRss (pid: number, baseline: number, slack: number, timeoutMs: number, idleMs: number): Promise<number> {
  await new Promise(resolve => setTimeout(resolve, idleMs))
  const deadline = Date.now() + timeoutMs
  let rss = rssOf(pid)
  while (rss > baseline + slack && Date.now() < deadline) {
    await new Promise(resolve => setTimeout(resolve, 500))
    rss = rssOf(pid)
  }
  return rss
}

export const mib = (bytes: number): string => `${(bytes / MiB).toFixed(0)} MiB`
