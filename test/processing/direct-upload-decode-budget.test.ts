// A direct upload over its decoder budget (lib/decode-budget.ts) is refused at admission like
// POST /upload refuses it: the object under incoming/ is deleted and the item rejected with the
// DECODE_TOO_COSTLY message; nothing reaches originals/ or the decoder.
import t from 'tap'
import { buildTestApp } from '../helpers/build-app.js'
import { startEmbeddedStack } from '../helpers/stand-ins.js'
import { listKeys } from '../helpers/inspect.js'
import { attachProcessor } from '../helpers/processing.js'
import { hugeScreenGif, rle8BmpBomb } from '../helpers/hostile-images.js'

const stack = await startEmbeddedStack()
t.teardown(() => stack.close())
const { app, config, clients } = await buildTestApp(t, stack.endpoints)
const processing = attachProcessor(t, stack.s3rver, { config, clients })

async function directUpload (filename: string, type: string, content: Buffer): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/uploads', payload: { filename, size: content.length, type } })
  if (res.statusCode !== 201) throw new Error(`grant: ${res.statusCode} ${res.body}`)
  const grant: { id: string, upload: { url: string, fields: Record<string, string> } } = res.json()
  const form = new FormData()
  for (const [name, value] of Object.entries(grant.upload.fields)) form.append(name, value)
  form.append('file', new Blob([new Uint8Array(content)]), 'file')
  const posted = await fetch(grant.upload.url, { method: 'POST', body: form })
  if (posted.status >= 300) throw new Error(`presigned POST: ${posted.status} ${await posted.text()}`)
  return grant.id
}

const cases: Array<[string, string, string, Buffer, RegExp]> = [
  ['an RLE8 BMP declaring 2000x2000 in 64 bytes', 'bomb.bmp', 'image/bmp', rle8BmpBomb(2000, 2000), /would cost too much to decode: it declares 2000x2000 pixels in 64 bytes, over the 256 pixels per byte a run-length encoded BMP can hold/],
  ['a GIF whose screen is 10000x10000 around a 1x1 frame', 'bomb.gif', 'image/gif', hugeScreenGif(10_000, 10_000), /would cost too much to decode: it declares 10000x10000 pixels in 35 bytes/]
]

for (const [name, filename, type, content, why] of cases) {
  t.test(name, async t => {
    const id = await directUpload(filename, type, content)
    t.match(await processing.outcomeOf(id), { result: 'refused', key: `incoming/${id}`, detail: why })
    t.same((await listKeys(clients.s3, config.bucket)).filter(key => key.includes(id)), [], 'the upload is deleted, nothing in originals/')
    const record = await app.inject({ method: 'GET', url: `/images/${id}` })
    t.match(record.json(), { status: 'rejected', failureReason: why })
  })
}
