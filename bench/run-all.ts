// `npm run bench [-- --quick]`: every benchmark in turn, then bench/results.md and
// bench/results.json (a quick run writes them under bench/.tmp/ instead, so a smoke run never
// replaces the committed full results). A benchmark that fails is reported as failed; the
// others still run.
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { join } from 'node:path'
import { run as throughput } from './throughput.js'
import { run as smallImages } from './small-images.js'
import { run as processing } from './processing.js'
import { run as processingMemory } from './processing-memory.js'
import { run as decodeCost } from './decode-cost.js'
import { run as coldStart } from './cold-start.js'
import { run as profile } from './profile.js'
import { ROOT, TMP } from './lib/processes.js'
import { markdownTable, parseArgs, type BenchResult, type RunOptions } from './lib/results.js'

const BENCHMARKS: Array<[string, (options: RunOptions) => Promise<BenchResult>]> = [
  ['throughput and memory', throughput],
  ['small images', smallImages],
  ['processing', processing],
  ['processing memory', processingMemory],
  ['decode cost', decodeCost],
  // Last but one: the Lambda entry and its bundle are the newest code in the tree.
  ['cold start', coldStart],
  // Untimed diagnostics for the rows that miss: where the servers' CPU and memory go.
  ['profiles', profile]
]

const git = (...args: string[]): string => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
/** The commit measured; BENCH_COMMIT names it when the tree is an export without .git (README). */
function commit (): string {
  try {
    return git('rev-parse', '--short', 'HEAD') + (git('status', '--porcelain', '--untracked-files=no', '--', 'app') ? ' (app/ has uncommitted changes)' : '')
  } catch {
    return process.env['BENCH_COMMIT'] ? `${process.env['BENCH_COMMIT']} (clean export)` : 'unknown'
  }
}

const options = parseArgs()
const started = Date.now()
const measured = commit()
const rows: BenchResult['rows'] = []
const notes: string[] = []
let failed = false
for (const [name, bench] of BENCHMARKS) {
  if (bench === profile && options.quick && !options.profile) continue
  const benchStarted = Date.now()
  console.error(`== ${name}`)
  try {
    const result = await bench(options)
    rows.push(...result.rows)
    notes.push(...result.notes)
  } catch (err) {
    failed = true
    console.error(err)
    rows.push({ benchmark: name, case: 'run', unit: '–', ours: null, goal: '–', met: false, note: `failed: ${(err as Error).message.split('\n')[0]}` })
  }
  console.error(`== ${name}: ${((Date.now() - benchStarted) / 1000).toFixed(0)} s`)
}

const meta = {
  date: new Date().toISOString(),
  mode: options.quick ? 'quick' : 'full',
  durationSeconds: Math.round((Date.now() - started) / 1000),
  node: process.version,
  cpu: `${cpus()[0]?.model ?? 'unknown'} x ${cpus().length}`,
  memoryGiB: Math.round(totalmem() / 1024 ** 3),
  commit: measured
}
const outDir = options.quick ? TMP : join(ROOT, 'bench')
writeFileSync(join(outDir, 'results.json'), JSON.stringify({ meta, rows, notes }, null, 2) + '\n')
writeFileSync(join(outDir, 'results.md'), [
  '# Benchmark results',
  '',
  `${meta.date}, ${meta.mode} run, ${meta.durationSeconds} s. Node ${meta.node}, ${meta.cpu}, ${meta.memoryGiB} GiB, commit ${meta.commit}.`,
  'How each row is measured and what bounds it: bench/README.md. ↑ higher is better, ↓ lower is better; ratios are ours ÷ other, medians of ratios paired within a round.',
  '',
  markdownTable(rows),
  '',
  ...notes.flatMap(note => [note, ''])
].join('\n'))
console.log(markdownTable(rows))
console.error(`bench: ${meta.durationSeconds} s, results in ${outDir}/results.md and results.json`)
process.exit(failed ? 1 : 0)
