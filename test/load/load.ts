import { Agent } from 'node:http'
import { destroyAwsClients } from '../../app/plugins/aws-clients.js'
import { testClients, testConfig } from '../helpers/build-app.js'
import { startDynalite } from '../helpers/dynalite.js'
import { spawnNodeApp, standInEnv, type NodeAppProcess } from '../helpers/node-app.js'
import { startS3Recorder } from '../helpers/s3-recorder.js'
import { freePort, startFauxqsS3 } from '../helpers/stand-ins.js'
import { send } from './client.js'
import { jobAt, LOAD_MAX_UPLOAD_BYTES, sha256 } from './jobs.js'
import { mib, rssOf, sampleRss, settledRss } from './memory.js'
import { verifyStored, type Acknowledged } from './verify.js'

const MiB = 1024 * 1024

export interface LoadOptions {
  clients: number
  uploads: number
  seed: number
  /** RSS may stay this far above the baseline once the load is over. */
  rssSlack?: number
  log?: (line: string) => void
}

export interface LoadReport {
  options: { clients: number, uploads: number, seed: number }
  seconds: number
  sentMiB: number
  /** "201", "415 UNSUPPORTED_TYPE", ... -> count. */
  outcomes: Record<string, number>
  latencyMs: { p50: number, p99: number, max: number }
  rss: { baseline: number, peak: number, after: number }
  acknowledgedImages: number
  multipartUploads: number
  exitCode: number | null
  /** Everything that broke a rule; empty for a good run. */
  problems: string[]
}

/**
 * `node app` (APP_MODE=endpoints) on fauxqs behind a recorder (so the multipart uploads of the
 * child process can be checked) and dynalite, all on loopback. `clients` concurrent keep-alive
 * connections send `uploads` seeded jobs; then the stores are checked against every answer.
 */
export async function runLoad (options: LoadOptions): Promise<LoadReport> {
  const log = options.log ?? (() => {})
  const [fauxqs, dynamodb, port] = await Promise.all([startFauxqsS3(), startDynalite(), freePort()])
  const recorder = await startS3Recorder(fauxqs.url)
  const names = { BUCKET_NAME: 'load-bucket', TABLE_NAME: 'load-table' }
  const clients = testClients(testConfig({ s3: fauxqs.url, dynamodb: dynamodb.url }, names))
  const app = spawnNodeApp({
    ...standInEnv({ s3: recorder.url, dynamodb: dynamodb.url }),
    PORT: String(port),
    ...names,
    MAX_UPLOAD_BYTES: String(LOAD_MAX_UPLOAD_BYTES),
    // Every client is 127.0.0.1: the per-IP limits would turn the run into a test of 429s.
    RATE_LIMIT_MAX: '1000000',
    RATE_LIMIT_GLOBAL_MAX: '1000000',
    LOG_LEVEL: 'warn'
  })
  const agent = new Agent({ keepAlive: true, maxSockets: options.clients })
  try {
    await waitForHealth(`http://127.0.0.1:${port}`, app)
    const pid = app.child.pid!
    const url = `http://127.0.0.1:${port}`
    const outcomes: Record<string, number> = {}
    const latencies: number[] = []
    const acknowledged: Acknowledged[] = []
    const problems: string[] = []
    let sent = 0

    const runJob = async (index: number): Promise<void> => {
      const job = jobAt(options.seed, index)
      sent += job.raw?.length ?? job.files.reduce((sum, file) => sum + file.content.length, 0)
      let answer
      try {
        answer = await send(url, agent, job, 120_000)
      } catch (err) {
        problems.push(`job ${index} (${job.kind}): no answer: ${(err as Error).message}`)
        return
      }
      latencies.push(answer.ms)
      const body = parseJson(answer.body)
      const outcome = `${answer.status}${body?.code ? ` ${body.code}` : ''}`
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1
      if (answer.status !== job.expected.status || (job.expected.code && body?.code !== job.expected.code)) {
        problems.push(`job ${index} (${job.kind}): expected ${job.expected.status} ${job.expected.code ?? ''}, got ${outcome}: ${answer.body.slice(0, 200)}`)
      }
      if (answer.status !== 201) return
      const records = (body?.images ?? [body]) as Array<{ id: string, key: string, sha256: string }>
      records.forEach((record, i) => acknowledged.push({ id: record.id, key: record.key, sha256: record.sha256, sentSha256: sha256(job.files[i]!.content) }))
    }

    let next = 0
    let done = 0
    const progress = setInterval(() => log(`${done}/${options.uploads} uploads, RSS ${mib(rssOf(pid))}`), 5000)
    const runUntil = (end: number) => Promise.all(Array.from({ length: options.clients }, async () => {
      for (let index = next++; index < end; index = next++) {
        await runJob(index)
        done++
      }
    }))
    // The baseline is the RSS of a server that has already served the same mix at the same
    // concurrency (a fifth of the run, at least 100 uploads), idle again: a fresh process has
    // not yet grown its heap and allocator arenas to their working size, so RSS above that is
    // not a leak. Growth past this baseline, after more of the same load, is.
    const started = performance.now()
    const warmUp = Math.min(Math.floor(options.uploads / 2), Math.max(100, Math.floor(options.uploads / 5)))
    await runUntil(warmUp)
    const baseline = await settledRss(pid, 0, Infinity, 0, 3_000)
    log(`node app (pid ${pid}) RSS after ${warmUp} warm-up uploads: ${mib(baseline)}; ${options.clients} clients, ${options.uploads} uploads, seed ${options.seed}`)
    const sampler = sampleRss(pid)
    await runUntil(options.uploads)
    clearInterval(progress)
    const seconds = (performance.now() - started) / 1000
    const peak = sampler.stop()
    agent.destroy()

    const slack = options.rssSlack ?? Math.max(64 * MiB, baseline / 4)
    const after = await settledRss(pid, baseline, slack, 30_000, 3_000)
    if (after > baseline + slack) problems.push(`RSS stayed at ${mib(after)} after the load, over ${mib(baseline)} + ${mib(slack)}`)
    problems.push(...await verifyStored(clients, { bucket: names.BUCKET_NAME, table: names.TABLE_NAME }, acknowledged, recorder.started))

    app.child.kill('SIGTERM')
    const exitCode = await app.exited
    if (exitCode !== 0) problems.push(`node app exited with ${exitCode} on SIGTERM`)
    const sorted = [...latencies].sort((a, b) => a - b)
    const at = (p: number): number => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0)
    return {
      options: { clients: options.clients, uploads: options.uploads, seed: options.seed },
      seconds,
      sentMiB: sent / MiB,
      outcomes,
      latencyMs: { p50: at(0.5), p99: at(0.99), max: Math.round(sorted.at(-1) ?? 0) },
      rss: { baseline, peak, after },
      acknowledgedImages: acknowledged.length,
      multipartUploads: recorder.started.length,
      exitCode,
      problems
    }
  } finally {
    agent.destroy()
    app.child.kill('SIGKILL')
    destroyAwsClients(clients)
    await Promise.all([recorder.close(), fauxqs.stop(), dynamodb.stop()])
  }
}

async function waitForHealth (url: string, app: NodeAppProcess): Promise<void> {
  for (let i = 0; i < 600 && app.child.exitCode === null; i++) {
    if (await fetch(`${url}/health`).then(res => res.ok, () => false)) return
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  throw new Error(`node app did not answer /health: ${app.stderr()}`)
}

function parseJson (text: string): Record<string, unknown> & { code?: string, images?: unknown[] } | undefined {
  try { return JSON.parse(text) } catch { return undefined }
}
