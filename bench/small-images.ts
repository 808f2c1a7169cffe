// Rows 3 and 4: a 200 KiB JPEG uploaded at concurrency 1, 16 and 64 through `node app`, the
// Express peer, and direct PutObject + PutItem from a separate process (the ceiling).
// Run alone: npx tsx bench/small-images.ts [--quick] [--concurrency=64]
import { createHash } from 'node:crypto'
import { Agent } from 'node:http'
import { pathToFileURL } from 'node:url'
import { expect, verifyStored } from './lib/checks.js'
import { startDirectUploader, type DirectUploader } from './lib/direct.js'
import { postFile } from './lib/multipart-client.js'
import { cpuMsOf, memoryOf } from './lib/processes.js'
import { judge, parseArgs, printResult, type BenchResult, type Row, type RunOptions } from './lib/results.js'
import { startServer, type BenchServer, type ServerKind } from './lib/servers.js'
import { standInClients, startStandIns } from './lib/stand-ins.js'
import { interleaved, median, MiB, percentile } from './lib/stats.js'
import { jpegOfSize } from './lib/test-images.js'

const CONTENDERS = ['app', 'direct', 'peer'] as const
type Contender = typeof CONTENDERS[number]
const CONCURRENCY = [1, 16, 64]
/** Run alone, `--concurrency=64` measures one concurrency only. */
const onlyConcurrency = Number((process.argv.find(arg => arg.startsWith('--concurrency=')) ?? '').slice('--concurrency='.length)) || undefined

interface Measurement { rate: number, p50: number, p99: number, cpuMs: number, standInsCpuMs: number, keys: string[] }
type Metric = Exclude<keyof Measurement, 'keys'>

interface Stage {
  image: Buffer
  sha256: string
  direct: DirectUploader
  servers: Record<ServerKind, BenchServer>
  standInsPid: number
}

/** `count` uploads over `concurrency` lanes, each lane one request at a time. */
async function measure (stage: Stage, contender: Contender, concurrency: number, count: number): Promise<Measurement> {
  const pid = contender === 'direct' ? stage.direct.pid : stage.servers[contender].pid
  const cpuBefore = cpuMsOf(pid)
  const standInsBefore = cpuMsOf(stage.standInsPid)
  const cpu = (): Pick<Measurement, 'cpuMs' | 'standInsCpuMs'> => ({
    cpuMs: (cpuMsOf(pid) - cpuBefore) / count,
    standInsCpuMs: (cpuMsOf(stage.standInsPid) - standInsBefore) / count
  })
  if (contender === 'direct') {
    const reply = await stage.direct.run({ type: 'small', bytes: stage.image, count, concurrency }, 120_000)
    return summarise(count, reply.ms, cpu(), reply.latencies, reply.keys)
  }
  const { url } = stage.servers[contender]
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency })
  const file = { filename: 'photo.jpg', contentType: 'image/jpeg', size: stage.image.length, body: () => [stage.image] }
  const latencies: number[] = []
  const keys: string[] = []
  let started = 0
  const lane = async (): Promise<void> => {
    while (started < count) {
      started++
      const response = await postFile(`${url}/upload`, file, { agent, timeoutMs: 30_000 })
      expect(response.status === 201, `${contender} answered ${response.status}: ${response.body.slice(0, 300)}`)
      const record = JSON.parse(response.body) as { key: string, sha256?: string }
      if (contender === 'app') expect(record.sha256 === stage.sha256, `app reported sha256 ${record.sha256}`)
      latencies.push(response.ms)
      keys.push(record.key)
    }
  }
  const begin = performance.now()
  try {
    await Promise.all(Array.from({ length: concurrency }, lane))
  } finally {
    agent.destroy()
  }
  return summarise(count, performance.now() - begin, cpu(), latencies, keys)
}

function summarise (count: number, ms: number, cpu: Pick<Measurement, 'cpuMs' | 'standInsCpuMs'>, latencies: number[], keys: string[]): Measurement {
  expect(keys.length === count, `${keys.length} of ${count} uploads acknowledged`)
  return { rate: count / (ms / 1000), p50: percentile(latencies, 50), p99: percentile(latencies, 99), ...cpu, keys }
}

export async function run (options: RunOptions): Promise<BenchResult> {
  const image = await jpegOfSize(200 * 1024)
  const sha256 = createHash('sha256').update(image).digest('hex')
  const rounds = options.quick ? 2 : 3
  const countFor = (concurrency: number): number => options.quick ? Math.max(40, concurrency * 4) : Math.max(150, concurrency * 10)
  const rows: Row[] = []
  const standIns = await startStandIns()
  const clients = standInClients(standIns.endpoints)
  const started: Array<{ stop: () => Promise<void> }> = []
  try {
    const direct = await startDirectUploader(standIns)
    started.push(direct)
    const app = await startServer('app', standIns, { maxUploadBytes: 10 * MiB })
    started.push(app)
    const peer = await startServer('peer', standIns, { maxUploadBytes: 10 * MiB })
    started.push(peer)
    const stage: Stage = { image, sha256, direct, servers: { app, peer }, standInsPid: standIns.pid }
    const target = { app, peer, direct }
    const expected = { size: image.length, sha256, readBack: true, items: true }
    for (const contender of CONTENDERS) { // warm-up, checked like the rest
      await verifyStored(clients, target[contender], (await measure(stage, contender, 16, 64)).keys, expected)
    }
    for (const concurrency of CONCURRENCY.filter(c => !onlyConcurrency || c === onlyConcurrency)) {
      const results: Record<Contender, Measurement[]> = { app: [], direct: [], peer: [] }
      for (let round = 0; round < rounds; round++) {
        for (const contender of interleaved(CONTENDERS, round)) {
          const measurement = await measure(stage, contender, concurrency, countFor(concurrency))
          await verifyStored(clients, target[contender], measurement.keys, expected)
          results[contender].push(measurement)
        }
        console.error(`small images c=${concurrency} round ${round + 1}/${rounds}: ${CONTENDERS.map(c => `${c} ${results[c].at(-1)!.rate.toFixed(0)}/s`).join(', ')}`)
      }
      rows.push(...concurrencyRows(concurrency, countFor(concurrency), rounds, results))
    }
    const appPeak = memoryOf(app.pid).hwmBytes
    const peerPeak = memoryOf(peer.pid).hwmBytes
    rows.push({
      benchmark: 'Server peak RSS',
      case: 'small images, all concurrencies',
      unit: 'MiB ↓',
      ours: appPeak / MiB,
      peer: { value: peerPeak / MiB, ratio: appPeak / peerPeak },
      goal: 'below peer',
      met: appPeak < peerPeak
    })
  } finally {
    for (const process of started.reverse()) await process.stop()
    clients.s3.destroy()
    clients.ddb.destroy()
    await standIns.stop()
  }
  return { rows, notes: [`Small image: ${image.length} bytes, 800 px wide JPEG made with sharp.`] }
}

function concurrencyRows (concurrency: number, count: number, rounds: number, results: Record<Contender, Measurement[]>): Row[] {
  const paired = (key: Metric, other: Contender): number =>
    median(results.app.map((m, i) => m[key] / results[other][i]![key]))
  const metric = (key: Metric, contender: Contender): number => median(results[contender].map(m => m[key]))
  const label: Record<Metric, string> = { rate: 'uploads/s', p50: 'p50 latency', p99: 'p99 latency', cpuMs: 'uploader CPU per upload', standInsCpuMs: 'stand-ins CPU per upload' }
  const row = (key: Metric, unit: string, goal: string, verdict: Pick<Row, 'met' | 'note'>): Row => ({
    benchmark: 'Small images (200 KiB JPEG)',
    case: `c=${concurrency} ${label[key]} (${count} uploads, median of ${rounds})`,
    unit,
    ours: metric(key, 'app'),
    reference: { name: 'direct PutObject + PutItem', value: metric(key, 'direct'), ratio: paired(key, 'direct') },
    peer: { value: metric(key, 'peer'), ratio: paired(key, 'peer') },
    goal,
    ...verdict
  })
  return [
    row('rate', 'uploads/s ↑', 'ours/ref ≥ 0.8, ahead of peer', judge([['ref', paired('rate', 'direct') >= 0.8], ['peer', paired('rate', 'peer') > 1]])),
    row('p50', 'ms ↓', 'below peer', judge([['peer', paired('p50', 'peer') < 1]])),
    row('p99', 'ms ↓', 'below peer', judge([['peer', paired('p99', 'peer') < 1]])),
    row('cpuMs', 'CPU ms ↓', 'no goal: explains the rate', { met: null }),
    row('standInsCpuMs', 'CPU ms ↓', 'no goal: explains the rate', { met: null })
  ]
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  printResult(await run(parseArgs()))
}
