// A file over its decoder budget (lib/decode-budget.ts) is refused 422 DECODE_TOO_COSTLY by
// POST /upload. A per-byte rule needs the file's real size, known only at its end, so the object
// is stored first and rolled back: nothing is left, and the other files of the request go too.
import t from 'tap'
import { buildTestApp } from '../helpers/build-app.js'
import { startEmbeddedStack } from '../helpers/stand-ins.js'
import { fixture, multipartBody } from '../helpers/multipart.js'
import { storedState } from '../helpers/inspect.js'
import { hugeScreenGif, rle8BmpBomb } from '../helpers/hostile-images.js'

const stack = await startEmbeddedStack()
t.teardown(() => stack.close())

const cases: Array<[string, string, Buffer, RegExp]> = [
  ['an RLE8 BMP declaring 2000x2000 in 64 bytes (within the BMP pixel limit)', 'bomb.bmp', rle8BmpBomb(2000, 2000), /2000x2000 pixels in 64 bytes, over the 256 pixels per byte a run-length encoded BMP can hold/],
  ['an RLE8 BMP declaring 10000x10000', 'bomb.bmp', rle8BmpBomb(10_000, 10_000), /10000x10000 pixels, over the BMP limit of 25000000 pixels/],
  ['a GIF whose screen is 4000x4000 around a 1x1 frame', 'bomb.gif', hugeScreenGif(4000, 4000), /4000x4000 pixels in 35 bytes, over the 2048 pixels per byte a GIF can hold/]
]

for (const [name, filename, bytes, why] of cases) {
  t.test(name, async t => {
    const { app, config, clients } = await buildTestApp(t, stack.endpoints)
    const { payload, headers } = await multipartBody([{ filename: 'first.png', content: fixture('image.png') }, { filename, content: bytes }])
    const res = await app.inject({ method: 'POST', url: '/upload', payload, headers: { ...headers, accept: 'application/json' } })
    t.equal(res.statusCode, 422)
    t.equal(res.json().code, 'DECODE_TOO_COSTLY')
    t.match(res.json().message, why)
    t.match(res.json().message, /Send it as JPEG, PNG or WebP, or with fewer pixels\./)
    t.same(await storedState(clients, config), { keys: [], items: [] }, 'nothing stored: both objects rolled back, no item')
  })
}

t.test('an RLE8 BMP with room for its runs passes', async t => {
  const { app } = await buildTestApp(t, stack.endpoints)
  const padded = Buffer.concat([rle8BmpBomb(100, 100), Buffer.alloc(64)])
  padded.writeUInt32LE(padded.length, 2)
  const { payload, headers } = await multipartBody([{ filename: 'ok.bmp', content: padded }])
  const res = await app.inject({ method: 'POST', url: '/upload', payload, headers: { ...headers, accept: 'application/json' } })
  t.equal(res.statusCode, 201, res.body)
})
