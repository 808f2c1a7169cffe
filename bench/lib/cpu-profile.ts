import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { ROOT } from './processes.js'

interface ProfileNode {
  id: number
  callFrame: { functionName: string, url: string, lineNumber: number }
  hitCount?: number
}
interface CpuProfile { nodes: ProfileNode[], startTime: number, endTime: number, samples: number[] }

/**
 * Top functions by self time across the .cpuprofile files in `dir` (written by node
 * --cpu-prof), as a markdown list. Idle time is kept: it shows how much the process waited.
 */
export function summariseProfiles (dir: string, top = 12): string {
  const self = new Map<string, number>()
  let total = 0
  for (const file of readdirSync(dir).filter(name => name.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile
    const perSample = (profile.endTime - profile.startTime) / 1000 / Math.max(1, profile.samples.length)
    for (const node of profile.nodes) {
      const hits = node.hitCount ?? 0
      if (hits === 0) continue
      const name = describe(node.callFrame)
      self.set(name, (self.get(name) ?? 0) + hits * perSample)
      total += hits * perSample
    }
  }
  if (total === 0) return '(no profile samples)'
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, ms]) => `- ${(100 * ms / total).toFixed(1)}% ${Math.round(ms)} ms ${name}`)
    .join('\n')
}

function describe ({ functionName, url, lineNumber }: ProfileNode['callFrame']): string {
  const where = url.startsWith('file://') ? relative(ROOT, new URL(url).pathname) : url
  const name = functionName || '(anonymous)'
  return where ? `${name} (${where.replace(/^node_modules\//, '')}:${lineNumber + 1})` : name
}
