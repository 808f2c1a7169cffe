/**
 * Real-world image variants (test/fixtures/corpus, made by make-corpus.sh) through the listening
 * app, file by file. The rule: a file the independent decoder (vips) decodes ends `ready`, with
 * upright variants that carry no metadata; one it cannot is refused with a 4xx or ends `failed`
 * with a reason. Never a 5xx, never stuck in `processing`, and afterwards every object has its
 * item and every item its objects.
 */
import t, { type Test } from 'tap'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import sharp from 'sharp'
import { buildTestApp } from '../helpers/build-app.js'
import { startEmbeddedStack } from '../helpers/stand-ins.js'
import { attachProcessor } from '../helpers/processing.js'
import { storedState } from '../helpers/inspect.js'
import { isMarkerRed, pixelAt } from '../helpers/images.js'
import { originalKey } from '../../app/lib/keys.js'
import { VARIANT_NAMES, variantKey } from '../../app/lib/variants.js'
import { independentlyDecodes } from './independent-decoder.js'
import { CORPUS, corpusManifest, inPool, sendThrough, type CorpusEntry, type Fate } from './run-corpus.js'

// About a minute on two quiet cores; the default 120 s is too close when the machine is shared.
t.setTimeout(240_000)
const stack = await startEmbeddedStack()
t.teardown(() => stack.close())
const { app, config, clients } = await buildTestApp(t, stack.endpoints, { RATE_LIMIT_MAX: '10000', RATE_LIMIT_GLOBAL_MAX: '10000' })
const processing = attachProcessor(t, stack.s3rver, { config, clients })
await app.listen({ port: 0, host: '127.0.0.1' })
const target = { base: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, config, clients, processing }

const corpus = corpusManifest()
const started = performance.now()
// Three at a time: each file waits on vips, the socket and the processor in turn; CI has two cores.
const results = await inPool(corpus, 3, async entry => ({
  entry,
  verdict: await independentlyDecodes(join(CORPUS, entry.file)),
  fate: await sendThrough(target, entry)
}))

const isDark = (p: { r: number, g: number, b: number }): boolean => p.r < 80 && p.g < 80 && p.b < 80

/** The marker is in the top-left corner of the upright image, and in no other corner. */
async function checkMarker (t: Test, display: Buffer, entry: CorpusEntry): Promise<void> {
  const hasMarker = entry.marker === 'red' ? isMarkerRed : isDark
  const inset = Math.floor(Math.min(entry.width, entry.height) / 8)
  const corners = {
    'top-left': [inset, inset],
    'top-right': [entry.width - 1 - inset, inset],
    'bottom-left': [inset, entry.height - 1 - inset],
    'bottom-right': [entry.width - 1 - inset, entry.height - 1 - inset]
  } as const
  for (const [corner, [x, y]] of Object.entries(corners)) {
    const pixel = await pixelAt(display, x, y)
    t.equal(hasMarker(pixel), corner === 'top-left', `${entry.marker} marker ${corner === 'top-left' ? 'at' : 'not at'} the ${corner} (${JSON.stringify(pixel)})`)
  }
}

async function checkReady (t: Test, entry: CorpusEntry, fate: Extract<Fate, { kind: 'ready' }>): Promise<void> {
  t.match(fate.record, { width: entry.width, height: entry.height }, 'the record gives the upright size')
  const display = await sharp(fate.display).metadata()
  t.match(display, { format: 'webp', width: entry.width, height: entry.height }, 'display: upright, full size')
  const thumb = await sharp(fate.thumb).metadata()
  t.ok(Math.max(thumb.width, thumb.height) <= 256, 'thumb within 256 px')
  t.ok(Math.abs(thumb.width / thumb.height - entry.width / entry.height) < 0.05, 'thumb keeps the upright aspect')
  for (const [name, meta] of [['display', display], ['thumb', thumb]] as const) {
    t.same({ exif: meta.exif, xmp: meta.xmp, iptc: meta.iptc, orientation: meta.orientation }, {}, `${name}: no EXIF, XMP, IPTC or orientation`)
  }
  if (entry.marker !== 'none') await checkMarker(t, fate.display, entry)
}

const tally = { ready: 0, refused: 0, failed: 0, wrong: 0 }
for (const { entry, verdict, fate } of results) {
  t.test(`${entry.file}: ${entry.what}`, async t => {
    t.not(fate.kind, 'server-error', `never a 5xx (${describe(fate)})`)
    t.not(fate.kind, 'stuck', `never stuck in processing (${describe(fate)})`)
    if (fate.kind === 'ready' || fate.kind === 'refused' || fate.kind === 'failed') tally[fate.kind]++
    else tally.wrong++
    if (verdict.decodes) {
      t.equal(fate.kind, 'ready', `vips decodes it, so it ends ready (${describe(fate)})`)
      if (fate.kind === 'ready') await checkReady(t, entry, fate)
    } else {
      t.ok(fate.kind === 'refused' || fate.kind === 'failed', `vips cannot decode it (${verdict.detail}), so it is refused or fails (${describe(fate)})`)
      if (fate.kind === 'refused') t.match(fate, { status: Number, body: { code: String, message: String } }, '4xx with a code and a message')
      if (fate.kind === 'refused') t.ok(fate.status >= 400 && fate.status < 500)
      if (fate.kind === 'failed') t.match(fate.reason, /\S/, 'failed with a reason')
    }
  })
}

t.test('afterwards: no object without its item, no item without its objects', async t => {
  await processing.idle()
  const { keys, items } = await storedState(clients, config)
  const stored = results.flatMap(({ fate }) => 'id' in fate ? [fate.id] : [])
  t.same(items.map(item => item['id']).sort(), [...stored].sort(), 'one item per accepted upload, none for a refused one')
  const expected = items.flatMap(item => {
    const id = String(item['id'])
    return [originalKey(id), ...(item['status'] === 'ready' ? VARIANT_NAMES.map(name => variantKey(id, name)) : [])]
  })
  t.same(keys, expected.sort(), 'every item has its original (and its variants when ready), and no other object exists')
})

t.test('coverage', async t => {
  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  const line = `corpus: ${corpus.length} files, ${tally.ready} ready, ${tally.refused} refused, ${tally.failed} failed` +
    (tally.wrong ? `, ${tally.wrong} 5xx or stuck` : '') + ` (${seconds} s)`
  t.comment(line)
  console.log(line)
  t.equal(tally.ready + tally.refused + tally.failed + tally.wrong, corpus.length, 'every file counted once')
})

function describe (fate: Fate): string {
  if (fate.kind === 'refused') return `refused ${fate.status} ${fate.body.code ?? ''}: ${fate.body.message ?? ''}`
  if (fate.kind === 'failed') return `failed: ${String(fate.reason)}`
  if (fate.kind === 'ready') return 'ready'
  return JSON.stringify(fate)
}
