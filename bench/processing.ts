// Row 6: thumbnail (256 px) + display (1280 px) WebP variants of a 12 MP JPEG, through the
// service's processor (app/processing) and through a bare sharp pipeline; interleaved, in
// this process. Run alone: npx tsx bench/processing.ts [--quick]
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import sharp from 'sharp'
import { expect } from './lib/checks.js'
import { ROOT } from './lib/processes.js'
import { parseArgs, printResult, type BenchResult, type RunOptions } from './lib/results.js'
import { interleaved, median } from './lib/stats.js'
import { jpeg } from './lib/test-images.js'

/** The processor's settings (app/lib/variants.ts): longest side and WebP quality. */
const VARIANTS = [{ size: 256, quality: 75 }, { size: 1280, quality: 82 }]
const MAX_PIXELS = 100_000_000
type MakeVariants = (input: Buffer) => Promise<unknown>

/** The same two resizes with nothing around them: decode, orient, fit inside, encode WebP. */
const bareSharp: MakeVariants = async (input) => await Promise.all(VARIANTS.map(({ size, quality }) =>
  sharp(input).rotate().resize({ width: size, height: size, fit: 'inside', withoutEnlargement: true }).webp({ quality }).toBuffer()))

/** The service's processor, from a Buffer: openImage() then renderVariants(), if they exist yet. */
async function findProcessor (): Promise<{ name: string, make: MakeVariants } | undefined> {
  const [decodeFile, renderFile] = ['decode.ts', 'render.ts'].map(file => join(ROOT, 'app', 'processing', file)) as [string, string]
  if (!existsSync(decodeFile) || !existsSync(renderFile)) return undefined
  const { openImage } = await import(pathToFileURL(decodeFile).href) as { openImage?: unknown }
  const { renderVariants } = await import(pathToFileURL(renderFile).href) as { renderVariants?: unknown }
  if (typeof openImage !== 'function' || typeof renderVariants !== 'function') return undefined
  return {
    name: 'app/processing openImage() + renderVariants()',
    make: async (input) => await renderVariants(await openImage(input, 'image/jpeg', MAX_PIXELS))
  }
}

/** Every Buffer inside a result, wherever the processor put it. */
function buffersIn (value: unknown, found: Buffer[] = []): Buffer[] {
  if (Buffer.isBuffer(value)) found.push(value)
  else if (Array.isArray(value)) value.forEach(item => buffersIn(item, found))
  else if (value && typeof value === 'object') Object.values(value).forEach(item => buffersIn(item, found))
  return found
}

/** A broken pipeline must not report a time: both variants are WebP at their size. */
async function checkVariants (who: string, result: unknown): Promise<void> {
  const sides: number[] = []
  for (const buffer of buffersIn(result)) {
    const meta = await sharp(buffer).metadata()
    if (meta.format === 'webp') sides.push(Math.max(meta.width, meta.height))
  }
  for (const { size } of VARIANTS) expect(sides.includes(size), `${who} made no ${size} px WebP (made ${sides.join(', ') || 'none'})`)
}

async function timed (make: MakeVariants, input: Buffer): Promise<number> {
  const started = performance.now()
  await make(input)
  return performance.now() - started
}

export async function run (options: RunOptions): Promise<BenchResult> {
  const input = await jpeg(4000, 3000)
  const runs = options.quick ? 4 : 10
  const processor = await findProcessor()
  const contenders: Record<string, MakeVariants> = { bare: bareSharp, ...(processor && { ours: processor.make }) }
  for (const [who, make] of Object.entries(contenders)) await checkVariants(who, await make(input)) // also the warm-up
  const ms: Record<string, number[]> = { bare: [], ours: [] }
  for (let round = 0; round < runs; round++) {
    for (const who of interleaved(Object.keys(contenders), round)) ms[who]!.push(await timed(contenders[who]!, input))
  }
  const bare = median(ms['bare']!)
  const ours = processor ? median(ms['ours']!) : null
  const ratio = processor ? median(ms['ours']!.map((t, i) => t / ms['bare']![i]!)) : null
  return {
    rows: [{
      benchmark: 'Processing',
      case: `12 MP JPEG (4000x3000, ${(input.length / 1024 / 1024).toFixed(1)} MiB) to 256 + 1280 px WebP (median of ${runs})`,
      unit: 'ms/image ↓',
      ours,
      reference: { name: 'bare sharp pipeline', value: bare, ratio },
      goal: 'overhead ≤ 10% (ours/ref ≤ 1.1)',
      met: ratio === null ? null : ratio <= 1.1,
      note: processor ? `measured ${processor.name}` : 'pending: app/processing has no openImage() + renderVariants() yet'
    }],
    notes: []
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  printResult(await run(parseArgs()))
}
