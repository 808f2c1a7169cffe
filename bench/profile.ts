// Diagnostics for the rows that miss their goal: `node app` and the peer run the same work
// (two 100 MiB uploads; 300 small images at concurrency 16) under node --cpu-prof with a
// memory sampler preloaded, in separate passes from the timed runs so the profiler costs
// them nothing. Run alone: npx tsx bench/profile.ts [--only=app-small]
import { cpSync, readFileSync } from 'node:fs'
import { Agent } from 'node:http'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { expect } from './lib/checks.js'
import { summariseProfiles } from './lib/cpu-profile.js'
import { postFile, type PostedFile } from './lib/multipart-client.js'
import { scratchDir } from './lib/processes.js'
import { parseArgs, type BenchResult, type RunOptions } from './lib/results.js'
import { startServer, type ServerKind } from './lib/servers.js'
import { startStandIns, type StandIns } from './lib/stand-ins.js'
import { MiB } from './lib/stats.js'
import { syntheticImage } from './lib/synthetic-image.js'
import { jpegOfSize } from './lib/test-images.js'

type Workload = 'large' | 'small'

async function post (url: string, file: PostedFile, count: number, concurrency: number): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency })
  let started = 0
  const lane = async (): Promise<void> => {
    while (started < count) {
      started++
      const response = await postFile(`${url}/upload`, file, { agent, timeoutMs: 300_000 })
      expect(response.status === 201, `upload answered ${response.status}: ${response.body.slice(0, 200)}`)
    }
  }
  try {
    await Promise.all(Array.from({ length: concurrency }, lane))
  } finally {
    agent.destroy()
  }
}

async function profileOne (standIns: StandIns, kind: ServerKind, workload: Workload, small: Buffer): Promise<string> {
  const dir = scratchDir(`profile-${kind}-${workload}`)
  const memoryFile = join(dir, 'memory.json')
  const spawned = Date.now()
  const server = await startServer(kind, standIns, {
    maxUploadBytes: 200 * MiB,
    cpuProfDir: dir,
    nodeArgs: ['--require', './bench/lib/memory-sampler.cjs'],
    env: { BENCH_MEMORY_FILE: memoryFile }
  })
  let skipMs: number
  try {
    if (workload === 'large') {
      const file = (bytes: number): PostedFile => ({ filename: 'synthetic.png', contentType: 'image/png', size: bytes, body: () => syntheticImage(bytes) })
      await post(server.url, file(10 * MiB), 1, 1)
      skipMs = Date.now() - spawned
      await post(server.url, file(100 * MiB), 2, 1)
    } else {
      const file: PostedFile = { filename: 'photo.jpg', contentType: 'image/jpeg', size: small.length, body: () => [small] }
      await post(server.url, file, 50, 16)
      skipMs = Date.now() - spawned
      await post(server.url, file, 300, 16)
    }
  } finally {
    await server.stop() // the profile and the memory peaks are written as the server exits
  }
  // Scratch is removed at exit; BENCH_PROFILE_KEEP=<dir> keeps the .cpuprofile to open in DevTools.
  if (process.env['BENCH_PROFILE_KEEP']) cpSync(dir, join(process.env['BENCH_PROFILE_KEEP'], `${kind}-${workload}`), { recursive: true })
  const peak = JSON.parse(readFileSync(memoryFile, 'utf8')) as Record<string, number>
  const memory = Object.entries(peak).map(([key, bytes]) => `${key} ${(bytes / MiB).toFixed(0)}`).join(', ')
  const what = workload === 'large' ? 'two 100 MiB uploads' : '300 small images at c=16'
  return `**${kind === 'app' ? '`node app`' : 'peer'}, ${what}** (after warm-up). Peak MiB (main thread's view): ${memory}. CPU:\n${summariseProfiles(dir, { skipMs })}`
}

/** Run alone, `--only app-small` (or peer-large, ...) profiles one pass; the profile stays in bench/.tmp/profile-<kind>-<workload>. */
export async function run (_options: RunOptions, only = (process.argv.find(arg => arg.startsWith('--only=')) ?? '').slice('--only='.length)): Promise<BenchResult> {
  const small = await jpegOfSize(200 * 1024)
  const standIns = await startStandIns()
  const notes: string[] = []
  try {
    for (const workload of ['large', 'small'] as const) {
      for (const kind of ['app', 'peer'] as const) {
        if (!only || only === `${kind}-${workload}`) notes.push(await profileOne(standIns, kind, workload, small))
      }
    }
  } finally {
    await standIns.stop()
  }
  return { rows: [], notes: [`### Profiles (diagnostic pass, not timed)\n\n${notes.join('\n\n')}`] }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const note of (await run(parseArgs())).notes) console.log(note)
}
