import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { ROOT } from './processes.js'

interface CallFrame { functionName: string, url: string, lineNumber: number }
interface ProfileNode { id: number, callFrame: CallFrame }
interface CpuProfile { nodes: ProfileNode[], samples: number[], timeDeltas: number[] }

/**
 * Where a server's CPU went, from the .cpuprofile files in `dir` (node --cpu-prof): top
 * functions and packages by self time, as shares of busy (non-idle) time. Samples in the
 * first `skipMs` of the process (boot, warm-up) are left out.
 */
export function summariseProfiles (dir: string, options: { skipMs?: number, top?: number } = {}): string {
  const { byFunction, byPackage, busy, idle } = selfTimes(dir, options.skipMs ?? 0)
  if (busy === 0) return '(no profile samples)'
  const list = (times: Map<string, number>, count: number): string => [...times.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, ms]) => `  - ${(100 * ms / busy).toFixed(1)}% (${Math.round(ms)} ms) ${name}`)
    .join('\n')
  return [
    `busy ${Math.round(busy)} ms, idle ${Math.round(idle)} ms`,
    `- by package:\n${list(byPackage, 8)}`,
    `- by function:\n${list(byFunction, options.top ?? 12)}`
  ].join('\n')
}

function selfTimes (dir: string, skipMs: number): { byFunction: Map<string, number>, byPackage: Map<string, number>, busy: number, idle: number } {
  const byFunction = new Map<string, number>()
  const byPackage = new Map<string, number>()
  let busy = 0
  let idle = 0
  const add = (map: Map<string, number>, key: string, ms: number): void => { map.set(key, (map.get(key) ?? 0) + ms) }
  for (const file of readdirSync(dir).filter(name => name.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile
    const frames = new Map(profile.nodes.map(node => [node.id, node.callFrame]))
    let at = 0
    profile.samples.forEach((id, i) => {
      const ms = (profile.timeDeltas[i] ?? 0) / 1000
      at += ms
      const frame = frames.get(id)
      if (at < skipMs || !frame) return
      if (frame.functionName === '(idle)') {
        idle += ms
        return
      }
      busy += ms
      add(byFunction, describe(frame), ms)
      add(byPackage, packageOf(frame.url) ?? frame.functionName, ms)
    })
  }
  return { byFunction, byPackage, busy, idle }
}

/** npm package, Node's own modules, or the project's folder (app/, bench/) a frame belongs to. */
function packageOf (url: string): string | undefined {
  if (!url) return undefined
  if (url.startsWith('node:')) return 'node internals'
  const inModules = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url)
  if (inModules) return inModules[1]
  return url.startsWith('file://') ? `${relative(ROOT, new URL(url).pathname).split('/')[0]}/ (ours)` : url
}

function describe ({ functionName, url, lineNumber }: CallFrame): string {
  const where = url.startsWith('file://') ? relative(ROOT, new URL(url).pathname) : url
  const name = functionName || '(anonymous)'
  return where ? `${name} (${where.replace(/^node_modules\//, '')}:${lineNumber + 1})` : name
}
