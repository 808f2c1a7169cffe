/** One line of the results table. Ratios are medians of ratios paired within a round. */
export interface Row {
  benchmark: string
  case: string
  unit: string
  ours: number | null
  /** What ours is held against: the ceiling, the unbundled import, the bare sharp pipeline. */
  reference?: { name: string, value: number | null, ratio: number | null }
  peer?: { value: number | null, ratio: number | null }
  goal: string
  /** null: not measured, or no goal for this row. */
  met: boolean | null
  note?: string
}

export interface BenchResult {
  rows: Row[]
  /** Findings worth reading next to the table (profiles of missed goals, caveats). */
  notes: string[]
}

export interface RunOptions {
  quick: boolean
  /** Run the profiling pass (bench/profile.ts) even in a quick run. */
  profile: boolean
}

export function parseArgs (argv = process.argv.slice(2)): RunOptions {
  return { quick: argv.includes('--quick'), profile: argv.includes('--profile') }
}

const fmt = (value: number | null | undefined, digits = 1): string =>
  value === null || value === undefined ? '–' : value.toFixed(value >= 100 ? 0 : digits)
const ratio = (value: number | null | undefined): string => value === null || value === undefined ? '–' : value.toFixed(2)
const verdict = (met: boolean | null): string => met === null ? '–' : met ? 'met' : '**missed**'

export function markdownTable (rows: Row[]): string {
  const lines = [
    '| Benchmark | Case | Unit | Ours | Reference | Ref. value | Ours/ref | Peer (Express+multer-s3) | Ours/peer | Goal | Result |',
    '|---|---|---|---:|---|---:|---:|---:|---:|---|---|'
  ]
  for (const row of rows) {
    lines.push(`| ${[
      row.benchmark, row.case, row.unit, fmt(row.ours),
      row.reference?.name ?? '–', fmt(row.reference?.value), ratio(row.reference?.ratio),
      fmt(row.peer?.value), ratio(row.peer?.ratio),
      row.goal, verdict(row.met) + (row.note ? ` (${row.note})` : '')
    ].join(' | ')} |`)
  }
  return lines.join('\n')
}

export function printResult (result: BenchResult): void {
  console.log(markdownTable(result.rows))
  for (const note of result.notes) console.log(`\n${note}`)
}

/** A row's goals, each judged on its own: met only if all are, and the note says which failed. */
export function judge (goals: Array<[label: string, met: boolean]>, detail?: string): Pick<Row, 'met' | 'note'> {
  const verdicts = goals.map(([label, met]) => `${label}: ${met ? 'met' : 'missed'}`)
  return { met: goals.every(([, met]) => met), note: [detail, goals.length > 1 ? verdicts.join(', ') : undefined].filter(Boolean).join('; ') || undefined }
}
