// Rows 1, 2 and 4: streaming throughput, CPU time and the server's peak RSS for 10 MiB,
// 100 MiB and 1 GiB uploads through `node app`, the direct lib-storage Upload (ceiling) and the
// Express peer, all against one s3rver + dynalite process. Fresh servers every round, so each
// round's high-water mark belongs to that round's size. Run alone: npx tsx bench/throughput.ts [--quick]
import { pathToFileURL } from 'node:url'
import { expect, verifyStored } from './lib/checks.js'
import { startDirectUploader, type DirectUploader } from './lib/direct.js'
import { postFile } from './lib/multipart-client.js'
import { cpuMsOf, memoryOf } from './lib/processes.js'
import { judge, parseArgs, printResult, type BenchResult, type Row, type RunOptions } from './lib/results.js'
import { startServer, type BenchServer, type ServerKind } from './lib/servers.js'
import { standInClients, startStandIns, type StandIns } from './lib/stand-ins.js'
import { interleaved, MB, median, MiB } from './lib/stats.js'
import { syntheticImage, syntheticSha256 } from './lib/synthetic-image.js'

const CONTENDERS = ['app', 'direct', 'peer'] as const
type Contender = typeof CONTENDERS[number]
const PART_SIZE = 5 * MiB
const QUEUE_SIZE = 4
const MAX_UPLOAD_BYTES = 2 * 1024 * MiB
const FLAT_WITHIN = 64 * MiB
const WARM_UP_BYTES = 10 * MiB
/** Per contender and round: enough for a fresh server's JIT and keep-alive connections to settle. */
const WARM_UPS = 4

interface Size { bytes: number, label: string, runs: number }

const sizes = (quick: boolean): Size[] => quick
  ? [{ bytes: 10 * MiB, label: '10 MiB', runs: 3 }, { bytes: 100 * MiB, label: '100 MiB', runs: 3 }]
  : [{ bytes: 10 * MiB, label: '10 MiB', runs: 7 }, { bytes: 100 * MiB, label: '100 MiB', runs: 5 }, { bytes: 1024 * MiB, label: '1 GiB', runs: 3 }]

interface Stage {
  clients: ReturnType<typeof standInClients>
  direct: DirectUploader
  servers: Record<ServerKind, BenchServer>
}

interface Upload { ms: number, cpuMs: number }

/** One upload by one contender, checked end to end: its duration and its process's CPU time. */
async function uploadOnce (stage: Stage, contender: Contender, bytes: number, readBack: boolean): Promise<Upload> {
  // The direct Upload is the S3 ceiling alone: it writes no item.
  const expected = { size: bytes, sha256: syntheticSha256(bytes), readBack, items: contender !== 'direct' }
  const timeoutMs = Math.ceil(Math.max(60_000, bytes / (2 * MB) * 1000))
  const pid = contender === 'direct' ? stage.direct.pid : stage.servers[contender].pid
  const cpuBefore = cpuMsOf(pid)
  if (contender === 'direct') {
    const reply = await stage.direct.run({ type: 'stream', size: bytes, partSize: PART_SIZE, queueSize: QUEUE_SIZE }, timeoutMs)
    const cpuMs = cpuMsOf(pid) - cpuBefore
    await verifyStored(stage.clients, stage.direct, reply.keys, expected)
    return { ms: reply.ms, cpuMs }
  }
  const server = stage.servers[contender]
  const file = { filename: 'synthetic.png', contentType: 'image/png', size: bytes, body: () => syntheticImage(bytes) }
  const response = await postFile(`${server.url}/upload`, file, { timeoutMs })
  const cpuMs = cpuMsOf(pid) - cpuBefore
  expect(response.status === 201, `${contender} answered ${response.status}: ${response.body.slice(0, 300)}`)
  const record = JSON.parse(response.body) as { key: string, size?: number, sha256?: string }
  if (contender === 'app') {
    expect(record.size === bytes && record.sha256 === expected.sha256, `app reported size ${record.size} sha256 ${record.sha256}`)
  }
  await verifyStored(stage.clients, server, [record.key], expected)
  return { ms: response.ms, cpuMs }
}

async function startServers (standIns: StandIns, env: NodeJS.ProcessEnv = {}): Promise<Record<ServerKind, BenchServer>> {
  const app = await startServer('app', standIns, { maxUploadBytes: MAX_UPLOAD_BYTES, env })
  try {
    return { app, peer: await startServer('peer', standIns, { maxUploadBytes: MAX_UPLOAD_BYTES, env }) }
  } catch (err) {
    await app.stop()
    throw err
  }
}

async function stopServers (servers: Record<ServerKind, BenchServer>): Promise<void> {
  await servers.app.stop()
  await servers.peer.stop()
}

const mbPerS = (bytes: number, ms: number): number => bytes / MB / (ms / 1000)
const mib = (bytes: number): number => bytes / MiB
type PerContender<T> = Record<Contender, T[]>

interface SizeResult { size: Size, uploads: PerContender<Upload>, peaks: Record<ServerKind, number[]> }

/** All rounds of one size: fresh servers, WARM_UPS uploads each, then A B C / B C A / ... */
async function measureSize (stage: Omit<Stage, 'servers'>, standIns: StandIns, size: Size): Promise<SizeResult> {
  const uploads: PerContender<Upload> = { app: [], direct: [], peer: [] }
  const peaks: Record<ServerKind, number[]> = { app: [], peer: [] }
  for (let round = 0; round < size.runs; round++) {
    const servers = await startServers(standIns)
    try {
      const roundStage = { ...stage, servers }
      for (let i = 0; i < WARM_UPS; i++) for (const contender of CONTENDERS) await uploadOnce(roundStage, contender, WARM_UP_BYTES, i === 0)
      for (const contender of interleaved(CONTENDERS, round)) {
        uploads[contender].push(await uploadOnce(roundStage, contender, size.bytes, round === 0))
      }
      peaks.app.push(memoryOf(servers.app.pid).hwmBytes)
      peaks.peer.push(memoryOf(servers.peer.pid).hwmBytes)
    } finally {
      await stopServers(servers)
    }
    console.error(`throughput ${size.label} round ${round + 1}/${size.runs}: ${CONTENDERS.map(c => `${c} ${mbPerS(size.bytes, uploads[c].at(-1)!.ms).toFixed(1)} MB/s`).join(', ')}`)
  }
  return { size, uploads, peaks }
}

export async function run (options: RunOptions): Promise<BenchResult> {
  const results: SizeResult[] = []
  const standIns = await startStandIns()
  let direct: DirectUploader | undefined
  const clients = standInClients(standIns.endpoints)
  let partSizeRow: Row
  try {
    direct = await startDirectUploader(standIns)
    for (const size of sizes(options.quick)) results.push(await measureSize({ clients, direct }, standIns, size))
    partSizeRow = await largerPartsRow({ clients, direct }, standIns, results)
  } finally {
    clients.s3.destroy()
    clients.ddb.destroy()
    await direct?.stop()
    await standIns.stop()
  }
  return { rows: [...results.map(throughputRow), ...results.map(cpuRow), ...memoryRows(results), partSizeRow], notes: [] }
}

const pairedRatio = (ours: number[], other: number[]): number => median(ours.map((value, i) => value / other[i]!))

function throughputRow ({ size, uploads }: SizeResult): Row {
  const rate = (contender: Contender): number[] => uploads[contender].map(u => mbPerS(size.bytes, u.ms))
  const vsDirect = pairedRatio(rate('app'), rate('direct'))
  const vsPeer = pairedRatio(rate('app'), rate('peer'))
  return {
    benchmark: 'Streaming throughput',
    case: `${size.label} (median of ${size.runs})`,
    unit: 'MB/s ↑',
    ours: median(rate('app')),
    reference: { name: 'direct lib-storage Upload', value: median(rate('direct')), ratio: vsDirect },
    peer: { value: median(rate('peer')), ratio: vsPeer },
    goal: 'ours/ref ≥ 0.9, ahead of peer',
    ...judge([['ref', vsDirect >= 0.9], ['peer', vsPeer > 1]])
  }
}

/** CPU per 100 MB moved, noise-proof where wall time is not: it explains the throughput rows. */
function cpuRow ({ size, uploads }: SizeResult): Row {
  const per100MB = (contender: Contender): number[] => uploads[contender].map(u => u.cpuMs * 100 * MB / size.bytes)
  return {
    benchmark: 'Uploader CPU time',
    case: `${size.label}, per 100 MB (median of ${size.runs})`,
    unit: 'CPU ms ↓',
    ours: median(per100MB('app')),
    reference: { name: 'direct uploader process', value: median(per100MB('direct')), ratio: pairedRatio(per100MB('app'), per100MB('direct')) },
    peer: { value: median(per100MB('peer')), ratio: pairedRatio(per100MB('app'), per100MB('peer')) },
    goal: 'no goal: explains throughput',
    met: null
  }
}

function memoryRows (results: SizeResult[]): Row[] {
  const base = median(results[0]!.peaks.app)
  return results.map(({ size, peaks }) => {
    const app = median(peaks.app)
    const peer = median(peaks.peer)
    const first = size === results[0]!.size
    return {
      benchmark: 'Server peak RSS',
      case: `${size.label} uploads (fresh server per round, median of ${size.runs})`,
      unit: 'MiB ↓',
      ours: mib(app),
      peer: { value: mib(peer), ratio: pairedRatio(peaks.app, peaks.peer) },
      goal: first ? 'below peer' : `within 64 MiB of the ${results[0]!.size.label} case, below peer`,
      ...(first
        ? judge([['peer', pairedRatio(peaks.app, peaks.peer) < 1]])
        : judge([['flat', app - base <= FLAT_WITHIN], ['peer', pairedRatio(peaks.app, peaks.peer) < 1]],
          `${app >= base ? '+' : ''}${mib(app - base).toFixed(1)} MiB over ${results[0]!.size.label}`))
    }
  })
}

/** A 100 MiB upload with 4x bigger parts: the peak should follow partSize x (queueSize + 1), the parts in flight and the one being filled (app/services/multipart-upload.ts). */
async function largerPartsRow (stage: Omit<Stage, 'servers'>, standIns: StandIns, results: SizeResult[]): Promise<Row> {
  const partSize = 4 * PART_SIZE
  const servers = await startServers(standIns, { S3_PART_SIZE: String(partSize), S3_QUEUE_SIZE: String(QUEUE_SIZE) })
  let hwm: number
  try {
    for (let i = 0; i < WARM_UPS; i++) await uploadOnce({ ...stage, servers }, 'app', WARM_UP_BYTES, false)
    await uploadOnce({ ...stage, servers }, 'app', 100 * MiB, false)
    hwm = memoryOf(servers.app.pid).hwmBytes
  } finally {
    await stopServers(servers)
  }
  const base = median(results.find(r => r.size.label === '100 MiB')!.peaks.app)
  const extraBuffered = (partSize - PART_SIZE) * (QUEUE_SIZE + 1)
  return {
    benchmark: 'Server peak RSS',
    case: `100 MiB with S3_PART_SIZE 20 MiB (default 5 MiB), queue ${QUEUE_SIZE}`,
    unit: 'MiB ↓',
    ours: mib(hwm),
    reference: { name: 'default part size (row above)', value: mib(base), ratio: hwm / base },
    goal: `grows by about (20 − 5) × (${QUEUE_SIZE} + 1) = ${mib(extraBuffered)} MiB`,
    met: hwm - base >= extraBuffered / 2,
    note: `${hwm >= base ? '+' : ''}${mib(hwm - base).toFixed(1)} MiB`
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  printResult(await run(parseArgs()))
}
