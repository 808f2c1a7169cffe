import type { LoadReport } from './load.js'
import { mib } from './memory.js'

/** The figures, for people. */
export function formatReport (report: LoadReport): string {
  const { options, rss, latencyMs } = report
  const lines = [
    `seed ${options.seed}: ${options.uploads} uploads from ${options.clients} clients in ${report.seconds.toFixed(1)} s (${(options.uploads / report.seconds).toFixed(0)}/s, ${(report.sentMiB / report.seconds).toFixed(1)} MiB/s of ${report.sentMiB.toFixed(0)} MiB)`,
    `outcomes: ${Object.entries(report.outcomes).sort(([a], [b]) => a.localeCompare(b)).map(([outcome, n]) => `${outcome} x${n}`).join(', ')}`,
    `latency: p50 ${latencyMs.p50} ms, p99 ${latencyMs.p99} ms, max ${latencyMs.max} ms`,
    `node app RSS: baseline ${mib(rss.baseline)}, peak ${mib(rss.peak)}, after ${mib(rss.after)}`,
    `checked: ${report.acknowledgedImages} acknowledged images against every object and item; ${report.multipartUploads} multipart uploads; exit code on SIGTERM ${report.exitCode}`,
    report.problems.length === 0 ? 'every check passed' : `${report.problems.length} problems:\n  ${report.problems.slice(0, 50).join('\n  ')}`
  ]
  return lines.join('\n')
}
