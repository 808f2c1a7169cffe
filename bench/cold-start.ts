// Row 5: Lambda cold start proxy. A fresh process imports the esbuild bundle
// dist/lambda/index.mjs, or the unbundled app/lambda.ts through tsx, until its handler is
// ready; interleaved, median of 10. Run alone: npx tsx bench/cold-start.ts [--quick]
import { execFile } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { gzipSync } from 'node:zlib'
import { expect } from './lib/checks.js'
import { ROOT } from './lib/processes.js'
import { parseArgs, printResult, type BenchResult, type Row, type RunOptions } from './lib/results.js'
import { interleaved, median } from './lib/stats.js'

const run$ = promisify(execFile)
const BUNDLE = 'dist/lambda/index.mjs'
const ENTRY = 'app/lambda.ts'
const BUILDER = 'infra/bundle.ts'

/** Enough for the handler to load with no AWS and no network: nothing listens on port 9. */
const LAMBDA_ENV = {
  APP_MODE: 'endpoints',
  AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9',
  AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_LAMBDA_FUNCTION_NAME: 'image-upload-bench',
  NODE_ENV: 'production'
}

const VARIANTS = {
  bundle: ['bench/lib/import-timer.mjs', BUNDLE],
  unbundled: ['--import', 'tsx', 'bench/lib/import-timer.mjs', ENTRY]
}
type Variant = keyof typeof VARIANTS

async function timeImport (variant: Variant): Promise<number> {
  const { stdout } = await run$(process.execPath, VARIANTS[variant], { cwd: ROOT, env: { ...process.env, ...LAMBDA_ENV }, timeout: 60_000 })
  const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as { sinceStartMs: number, handler: string }
  expect(result.handler === 'function', `${variant} exports handler of type ${result.handler}`)
  return result.sinceStartMs
}

/** Files under dir, recursively, with their sizes: the bundle may ship more than one file. */
function filesUnder (dir: string): Array<{ path: string, bytes: number }> {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter(entry => entry.isFile())
    .map(entry => {
      const path = join(entry.parentPath, entry.name)
      return { path, bytes: statSync(path).size }
    })
}

/** True when a file under app/ changed after the bundle was built: it would measure old code. */
function bundleIsStale (): boolean {
  const built = statSync(join(ROOT, BUNDLE)).mtimeMs
  return filesUnder(join(ROOT, 'app')).some(file => statSync(file.path).mtimeMs > built)
}

/** Builds the bundle with the project's own script when it is missing or stale and the builder exists. */
async function ensureBundle (): Promise<string | undefined> {
  if (!existsSync(join(ROOT, ENTRY))) return `${ENTRY} does not exist yet`
  if (!existsSync(join(ROOT, BUNDLE)) || bundleIsStale()) {
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {}
    if (!existsSync(join(ROOT, BUILDER)) || !scripts['build']) return `${BUILDER} or the build script does not exist yet`
    await run$('npm', ['run', 'build'], { cwd: ROOT, timeout: 300_000 })
    if (!existsSync(join(ROOT, BUNDLE))) return `npm run build did not produce ${BUNDLE}`
  }
  return undefined
}

export async function run (options: RunOptions): Promise<BenchResult> {
  const missing = await ensureBundle()
  if (missing) {
    return {
      rows: [{ benchmark: 'Lambda cold start proxy', case: 'bundle import vs unbundled', unit: 'ms ↓', ours: null, goal: 'ours/ref ≤ 0.5', met: null, note: `not measured: ${missing}` }],
      notes: []
    }
  }
  const runs = options.quick ? 5 : 10
  const ms: Record<Variant, number[]> = { bundle: [], unbundled: [] }
  // One untimed import each: fills the OS file cache and tsx's transform cache.
  for (const variant of ['bundle', 'unbundled'] as const) await timeImport(variant)
  for (let round = 0; round < runs; round++) {
    for (const variant of interleaved(['bundle', 'unbundled'] as const, round)) ms[variant].push(await timeImport(variant))
  }
  const ratio = median(ms.bundle.map((bundle, i) => bundle / ms.unbundled[i]!))
  const main = readFileSync(join(ROOT, BUNDLE))
  const files = filesUnder(join(ROOT, 'dist', 'lambda'))
  const total = files.reduce((sum, file) => sum + file.bytes, 0)
  const rows: Row[] = [{
    benchmark: 'Lambda cold start proxy',
    case: `process start to handler ready, ${BUNDLE} (median of ${runs})`,
    unit: 'ms ↓',
    ours: median(ms.bundle),
    reference: { name: `${ENTRY} via node --import tsx`, value: median(ms.unbundled), ratio },
    goal: 'ours/ref ≤ 0.5',
    met: ratio <= 0.5
  }, {
    benchmark: 'Lambda bundle size',
    case: `${BUNDLE} (${files.length} file${files.length === 1 ? '' : 's'} in dist/lambda)`,
    unit: 'KiB',
    ours: main.length / 1024,
    goal: '–',
    met: null,
    note: `gzip -9: ${(gzipSync(main, { level: 9 }).length / 1024).toFixed(0)} KiB; dist/lambda total ${(total / 1024).toFixed(0)} KiB, source maps and assets included`
  }]
  return { rows, notes: ['Cold start: tsx\'s transform cache is warm for the unbundled runs (one untimed import first), which favours the unbundled side.'] }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  printResult(await run(parseArgs()))
}
