/**
 * The seed of a randomized test: fixed unless the variable says otherwise, so CI runs the same
 * cases every time (a red run can be replayed, a green one is not luck). `NAME=<n>` replays a
 * run; `NAME=random` picks a new seed, for long exploratory runs (`npm run fuzz`). Printed by
 * the caller either way.
 */
export function testSeed (variable: string, fixed: number): number {
  const value = process.env[variable]
  if (value === undefined || value === '') return fixed
  if (value === 'random') return Date.now() % 2 ** 31
  const seed = Number(value)
  if (!Number.isInteger(seed)) throw new Error(`${variable} must be an integer or "random", not ${JSON.stringify(value)}`)
  return seed
}
