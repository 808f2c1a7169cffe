// Row 8: the worst-case processing time per input byte (issue 15, decompression bombs): the
// costliest files each decoder's budget (app/lib/decode-budget.ts) still lets through, and
// normal ones, each decoded as the processor does in a fresh process after a warm-up file of
// its type. Run alone: npx tsx bench/decode-cost.ts [--quick]
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { readFileSync } from 'node:fs'
import { GIF_MAX_PIXELS_PER_BYTE, RLE_BMP_MAX_PIXELS_PER_BYTE } from '../app/lib/decode-budget.js'
import { forkTs, stopChild, TMP, ROOT } from './lib/processes.js'
import type { CostAnswer, CostRequest } from './lib/decode-cost-worker.js'
import { parseArgs, printResult, type BenchResult, type Row, type RunOptions } from './lib/results.js'
import { median, MiB } from './lib/stats.js'
import { jpeg } from './lib/test-images.js'
import { heicGridBomb, hugeScreenGif, plainBmp, rle8BmpBomb, zeroPng } from '../test/helpers/hostile-images.js'

interface Case { name: string, contentType: string, width: number, height: number, bytes: () => Promise<Buffer> | Buffer }

const fixture = (name: string): Buffer => readFileSync(join(ROOT, 'test', 'fixtures', name))
const padTo = (bytes: Buffer, size: number): Buffer => Buffer.concat([bytes, Buffer.alloc(Math.max(0, size - bytes.length))])
const WARM_UP: Record<string, string> = { 'image/bmp': 'image.bmp', 'image/gif': 'image.gif', 'image/png': 'image.png', 'image/jpeg': 'image.jpg', 'image/heic': 'image.heic' }

const CASES: Case[] = [
  { name: 'JPEG photo 4000x3000', contentType: 'image/jpeg', width: 4000, height: 3000, bytes: () => jpeg(4000, 3000) },
  { name: 'BMP uncompressed 8-bit 3000x3000', contentType: 'image/bmp', width: 3000, height: 3000, bytes: () => plainBmp(3000, 3000) },
  { name: 'HEIC 64x48 (fixture)', contentType: 'image/heic', width: 64, height: 48, bytes: () => fixture('image.heic') },
  // The worst each rule admits: exactly at its pixels-per-byte limit, padded after the end marker.
  { name: `RLE8 BMP 5000x5000 at ${RLE_BMP_MAX_PIXELS_PER_BYTE} px/byte`, contentType: 'image/bmp', width: 5000, height: 5000, bytes: () => padTo(rle8BmpBomb(5000, 5000), Math.ceil(25e6 / RLE_BMP_MAX_PIXELS_PER_BYTE)) },
  { name: `GIF screen 10000x10000, one 1x1 frame, at ${GIF_MAX_PIXELS_PER_BYTE} px/byte`, contentType: 'image/gif', width: 10_000, height: 10_000, bytes: () => padTo(hugeScreenGif(10_000, 10_000), Math.ceil(1e8 / GIF_MAX_PIXELS_PER_BYTE)) },
  // No per-byte rule for HEIC (a flat 12 MP HEVC image is 3,900 px/byte): the densest grid under the 50 MP limit.
  { name: 'HEIC grid 6656x6656 (13x13 flat tiles)', contentType: 'image/heic', width: 6656, height: 6656, bytes: () => fixture('heic-grid-44mp.heic') },
  { name: 'PNG 10000x10000 zero rows', contentType: 'image/png', width: 10_000, height: 10_000, bytes: () => zeroPng(10_000, 10_000) },
  { name: 'PNG 1 x 100,000,000 zero rows', contentType: 'image/png', width: 1, height: 100_000_000, bytes: () => zeroPng(1, 100_000_000) },
  { name: 'HEIC grid 10000x10000 in 58 KB', contentType: 'image/heic', width: 10_000, height: 10_000, bytes: heicGridBomb },
  { name: 'RLE8 BMP 10000x10000 in 64 bytes', contentType: 'image/bmp', width: 10_000, height: 10_000, bytes: () => rle8BmpBomb(10_000, 10_000) }
]

async function measure (request: CostRequest): Promise<CostAnswer> {
  const child = forkTs(join(import.meta.dirname, 'lib', 'decode-cost-worker.ts'), { logFile: join(TMP, 'decode-cost.log') })
  try {
    return await new Promise<CostAnswer>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('a decode took over 2 minutes')), 120_000)
      child.once('message', message => { clearTimeout(timer); resolve(message as CostAnswer) })
      child.once('exit', code => { clearTimeout(timer); reject(new Error(`the decoder exited with ${code} (see bench/.tmp/decode-cost.log)`)) })
      child.send(request)
    })
  } finally {
    await stopChild(child)
  }
}

export async function run (options: RunOptions): Promise<BenchResult> {
  const runs = options.quick ? 1 : 3
  const rows: Row[] = []
  let worst = { msPerKiB: 0, name: '' }
  for (const item of CASES) {
    const bytes = await item.bytes()
    const answers: CostAnswer[] = []
    for (let round = 0; round < runs; round++) {
      answers.push(await measure({ bytes, warmUp: fixture(WARM_UP[item.contentType]!), contentType: item.contentType, width: item.width, height: item.height }))
    }
    const ms = median(answers.map(answer => answer.ms))
    const msPerKiB = ms / (bytes.length / 1024)
    if (msPerKiB > worst.msPerKiB) worst = { msPerKiB, name: item.name }
    rows.push({
      benchmark: 'Decode cost per input byte',
      case: `${item.name}, ${bytes.length} bytes (fresh process, median of ${runs})`,
      unit: 'ms per KiB ↓',
      ours: msPerKiB,
      goal: '–',
      met: null,
      note: `${ms.toFixed(0)} ms, RSS +${(median(answers.map(answer => answer.growthBytes)) / MiB).toFixed(0)} MiB: ${answers[0]!.result}`
    })
  }
  rows.push({ benchmark: 'Decode cost per input byte', case: 'worst case over the files above', unit: 'ms per KiB ↓', ours: worst.msPerKiB, goal: '–', met: null, note: worst.name })
  return { rows, notes: [] }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  printResult(await run(parseArgs()))
}
