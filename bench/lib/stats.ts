export function median (values: number[]): number {
  return percentile(values, 50)
}

/** Nearest-rank percentile. */
export function percentile (values: number[], p: number): number {
  if (values.length === 0) throw new Error('percentile of nothing')
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!
}

/** Rotates the contenders each round (A B C, B C A, ...), so no one always goes first. */
export function interleaved<T> (contenders: readonly T[], round: number): T[] {
  const shift = round % contenders.length
  return [...contenders.slice(shift), ...contenders.slice(0, shift)]
}

export const MiB = 1024 * 1024
export const MB = 1e6
