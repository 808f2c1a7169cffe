// Child process of bench/decode-cost.ts: decodes one file as the processor does (openImage, then
// renderVariants) after a warm-up file of the same type, and answers with the time and how far
// its resident set grew. A file the upload would refuse (lib/decode-budget.ts) is not decoded.
import { readFileSync } from 'node:fs'
import { decodeBudgetProblem } from '../../app/lib/decode-budget.js'
import { openImage } from '../../app/processing/decode.js'
import { renderVariants } from '../../app/processing/render.js'

export interface CostRequest { bytes: Uint8Array, warmUp: Uint8Array, contentType: string, width: number, height: number }
export interface CostAnswer { ms: number, growthBytes: number, result: string }

const MAX_PIXELS = 100_000_000
const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'))?.[1]) * 1024

async function decode (bytes: Buffer, contentType: string): Promise<string> {
  try {
    const rendered = await renderVariants(await openImage(bytes, contentType, MAX_PIXELS))
    return `ready ${rendered.width}x${rendered.height}`
  } catch (err) {
    return `failed: ${(err as Error).message.slice(0, 80)}`
  }
}

async function answer (request: CostRequest): Promise<void> {
  const bytes = Buffer.from(request.bytes)
  await decode(Buffer.from(request.warmUp), request.contentType)
  const refused = decodeBudgetProblem({ contentType: request.contentType, head: bytes, width: request.width, height: request.height, fileBytes: bytes.length })
  const rssBefore = kib('VmRSS')
  const started = performance.now()
  const result = refused ? `refused at upload: ${refused.slice(0, 80)}` : await decode(bytes, request.contentType)
  const reply: CostAnswer = { ms: refused ? 0 : performance.now() - started, growthBytes: kib('VmHWM') - rssBefore, result }
  process.send!(reply, () => process.exit(0))
}

process.once('message', (request: CostRequest) => {
  answer(request).catch((err: unknown) => { console.error(err); process.exit(1) })
})
