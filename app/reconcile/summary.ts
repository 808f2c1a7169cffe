import type { ReconcileReport } from './reconcile.js'

const SHOWN = 100

/** The report for a log line: counts, and the first keys of each list (a run after an incident can find thousands). */
export function summarize (report: ReconcileReport): Record<string, unknown> {
  const first = <T>(list: T[]): T[] => list.slice(0, SHOWN)
  return {
    dryRun: report.dryRun,
    checked: report.checked,
    found: {
      orphanOriginals: report.orphanOriginals.length,
      imagesWithoutOriginal: report.imagesWithoutOriginal.length,
      orphanVariants: report.orphanVariants.length,
      unfinishedDeletes: report.unfinishedDeletes.length,
      strayUploads: report.strayUploads.length,
      failures: report.failures.length
    },
    orphanOriginals: first(report.orphanOriginals),
    imagesWithoutOriginal: first(report.imagesWithoutOriginal),
    orphanVariants: first(report.orphanVariants),
    unfinishedDeletes: first(report.unfinishedDeletes),
    strayUploads: first(report.strayUploads),
    failures: first(report.failures)
  }
}

const LEVELS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 }

/** One JSON line per entry on stdout, the fields pino writes (Lambda sends stdout to CloudWatch). */
export function jsonLine (level: string): (entry: 'info' | 'error', fields: object, message: string) => void {
  const threshold = LEVELS[level] ?? Infinity
  return (entry, fields, message) => {
    if (LEVELS[entry]! >= threshold) process.stdout.write(JSON.stringify({ level: LEVELS[entry], time: Date.now(), ...fields, msg: message }) + '\n')
  }
}
