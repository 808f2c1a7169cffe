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
