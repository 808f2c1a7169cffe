/**
 * Images whose header the probe's first MiB does not hold, or the 4100-byte sniff does not
 * reach: a TIFF directory after the pixels (libtiff's default layout), a HEIF/AVIF meta box
 * after mdat, a JPEG frame header behind APP segments. Accepted while streaming, refused the
 * moment the late header is over the limit or the file ends without it, with nothing left.
 */
import { Readable } from 'node:stream'
import t, { type Test } from 'tap'
import { buildTestApp, testClients } from '../helpers/build-app.js'
import { startEmbeddedStack } from '../helpers/stand-ins.js'
import { fixture, multipartBody, type FilePart } from '../helpers/multipart.js'
import { listKeys, readObject, sha256, storedState, trackMultipartUploads } from '../helpers/inspect.js'
import { attachProcessor } from '../helpers/processing.js'
import { startS3Recorder } from '../helpers/s3-recorder.js'
import { destroyAwsClients } from '../../app/plugins/aws-clients.js'
import { HEADER_PROBE_LIMIT } from '../../app/lib/image-head.js'
import type { Config } from '../../app/config.js'
import { avifMetaLast, gifBehindComments, grayTiff, jpegBehindAppSegments } from '../fixtures/late-headers.js'

const MiB = 1024 * 1024
// About 40 s on two quiet cores (multi-MiB files, two of 12 MiB, several processed); 60 s when shared.
t.setTimeout(240_000)
const stack = await startEmbeddedStack()
t.teardown(() => stack.close())

/** The body arrives in 64 KiB pieces, as from a socket: one piece would put a whole file in the probe. */
async function post (app: Awaited<ReturnType<typeof buildTestApp>>['app'], files: FilePart[]) {
  const { payload, headers } = await multipartBody(files)
  const pieces = function * (): Generator<Buffer> {
    for (let at = 0; at < payload.length; at += 64 * 1024) yield payload.subarray(at, at + 64 * 1024)
  }
  return app.inject({ method: 'POST', url: '/upload', headers: { ...headers, 'content-length': String(payload.length) }, payload: Readable.from(pieces()) })
}

/** POST /uploads, then the file straight to S3 with the presigned POST, as the upload page does. */
async function directUpload (t: Test, app: Awaited<ReturnType<typeof buildTestApp>>['app'], filename: string, content: Buffer): Promise<string> {
  const granted = await app.inject({ method: 'POST', url: '/uploads', payload: { filename, size: content.length, type: 'image/tiff' } })
  t.equal(granted.statusCode, 201, granted.body)
  const { id, upload } = granted.json() as { id: string, upload: { url: string, fields: Record<string, string> } }
  const form = new FormData()
  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value)
  form.append('file', new Blob([new Uint8Array(content)]), filename)
  const posted = await fetch(upload.url, { method: 'POST', body: form, signal: AbortSignal.timeout(20_000) })
  t.ok(posted.status < 300, `presigned POST: ${posted.status}`)
  return id
}

t.test('TIFFs written by libtiff (directory after the pixels, past the sniff) are stored and processed', async t => {
  const target = await buildTestApp(t, stack.endpoints)
  const processing = attachProcessor(t, stack.s3rver, target)
  for (const name of ['ifd-last.tif', 'ifd-last-be.tif', 'ifd-last-bigtiff.tif']) {
    const res = await post(target.app, [{ filename: name, content: fixture(name) }])
    t.equal(res.statusCode, 201, `${name}: ${res.body}`)
    const record = res.json()
    t.match(record, { contentType: 'image/tiff', width: 64, height: 48 }, name)
    t.match(await processing.outcomeOf(record.id), { result: 'ready' }, `${name} decodes`)
  }
})

const late = [
  { name: 'little-endian TIFF', file: 'late-le.tif', content: grayTiff({ width: 1500, height: 1000 }), width: 1500, height: 1000, type: 'image/tiff' },
  { name: 'big-endian TIFF', file: 'late-be.tif', content: grayTiff({ width: 1500, height: 1000, byteOrder: 'MM' }), width: 1500, height: 1000, type: 'image/tiff' },
  { name: 'BigTIFF', file: 'late-big.tif', content: grayTiff({ width: 1500, height: 1000, bigTiff: true }), width: 1500, height: 1000, type: 'image/tiff' },
  { name: 'JPEG behind 2 MiB of APP segments', file: 'late.jpg', content: jpegBehindAppSegments(fixture('photo-rotated.jpg'), 2 * MiB), width: 640, height: 480, type: 'image/jpeg' },
  { name: 'GIF with its first frame behind 2 MiB of comments', file: 'late.gif', content: gifBehindComments(fixture('image.gif'), 2 * MiB), width: 64, height: 48, type: 'image/gif' }
]

for (const image of late) {
  t.test(`a ${image.name} with its header past the first MiB is stored with its size and processed to ready`, async t => {
    const target = await buildTestApp(t, stack.endpoints)
    const processing = attachProcessor(t, stack.s3rver, target)
    const res = await post(target.app, [{ filename: image.file, content: image.content }])
    t.equal(res.statusCode, 201, res.body)
    const record = res.json()
    t.match(record, { contentType: image.type, width: image.width, height: image.height, size: image.content.length, sha256: sha256(image.content) })
    const stored = await readObject(target.clients.s3, target.config.bucket, record.key)
    t.equal(sha256(stored.bytes), sha256(image.content), 'stored byte for byte')
    t.match(await processing.outcomeOf(record.id), { result: 'ready' })
    t.match((await target.app.inject({ method: 'GET', url: `/images/${record.id}` })).json(), { status: 'ready' })
  })
}

t.test('an AVIF whose meta box follows 2 MiB of mdat is read for its size', async t => {
  const { app } = await buildTestApp(t, stack.endpoints)
  const res = await post(app, [{ filename: 'late.avif', content: avifMetaLast(640, 480, 2 * MiB) }])
  t.equal(res.statusCode, 201, res.body)
  t.match(res.json(), { contentType: 'image/avif', width: 640, height: 480 })
})

const refused = [
  {
    name: 'a tiny TIFF declaring 100000x100000 pixels, directory after its strip',
    content: grayTiff({ width: 100_000, height: 100_000, pixelBytes: 8000 }),
    code: 'TOO_MANY_PIXELS',
    message: /100000x100000 pixels, over the limit/
  },
  {
    name: 'a TIFF declaring 20000x20000 pixels in a directory after 2 MiB',
    content: grayTiff({ width: 20_000, height: 20_000, pixelBytes: 2 * MiB }),
    code: 'TOO_MANY_PIXELS',
    message: /20000x20000 pixels, over the limit/
  },
  {
    name: 'a big-endian BigTIFF declaring 20000x20000 pixels after 2 MiB',
    content: grayTiff({ width: 20_000, height: 20_000, pixelBytes: 2 * MiB, bigTiff: true, byteOrder: 'MM' }),
    code: 'TOO_MANY_PIXELS',
    message: /20000x20000/
  },
  {
    name: 'a TIFF whose directory offset points past its end',
    content: grayTiff({ width: 1500, height: 1000, ifdOffset: 9_000_000 }),
    code: 'UNREADABLE_IMAGE',
    message: /detected image\/tiff\) has no readable header: the file ends after 1500122 bytes, before its header \(the file places it at byte 9000000\)/
  },
  {
    name: 'a TIFF whose directory offset points into its header',
    content: grayTiff({ width: 1500, height: 1000, ifdOffset: 4 }),
    code: 'CORRUPT_IMAGE',
    message: /not a whole image\/tiff file: its first directory offset \(4\) points into the header/
  },
  {
    name: 'an AVIF whose late meta box declares 20000x20000 pixels',
    content: avifMetaLast(20_000, 20_000, 2 * MiB),
    code: 'TOO_MANY_PIXELS',
    message: /20000x20000/
  },
  {
    name: 'a JPEG with 2 MiB of APP segments and then its end marker, no frame',
    content: jpegBehindAppSegments(Buffer.from([0xff, 0xd8, 0xff, 0xd9]), 2 * MiB),
    code: 'UNREADABLE_IMAGE',
    message: /detected image\/jpeg\) has no readable header: its end marker comes before any frame header/
  },
  {
    name: 'a JPEG cut inside its APP segments, past the first MiB',
    content: jpegBehindAppSegments(fixture('image.jpg'), 2 * MiB).subarray(0, 1.5 * MiB),
    code: 'CORRUPT_IMAGE',
    message: /not a whole image\/jpeg file/
  }
]

for (const c of refused) {
  t.test(`${c.name}: 422 ${c.code}, nothing in S3 or DynamoDB`, async t => {
    const { app, config, clients } = await buildTestApp(t, stack.endpoints)
    const res = await post(app, [{ filename: 'x.tif', content: c.content }])
    t.equal(res.statusCode, 422)
    t.match(res.json(), { code: c.code, message: c.message })
    t.same(await storedState(clients, config), { keys: [], items: [] })
  })
}

t.test('a GIF whose first frame is larger than its logical screen is measured as libvips decodes it', async t => {
  const { app, config, clients } = await buildTestApp(t, stack.endpoints, { MAX_PIXELS: String(64 * 48 - 1) })
  const gif = Buffer.from(fixture('image.gif'))
  gif.writeUInt16LE(10, 6)
  gif.writeUInt16LE(10, 8)
  const res = await post(app, [{ filename: 'small-screen.gif', content: gif }])
  t.equal(res.statusCode, 422)
  t.match(res.json(), { code: 'TOO_MANY_PIXELS', message: /is 64x48 pixels/ })
  t.same(await storedState(clients, config), { keys: [], items: [] })
})

t.test('a multipart upload whose late directory is over the limit, or missing, is refused at its last part, never completed', async t => {
  // 12 MiB in 5 MiB parts: two parts are in S3 when the directory, in the last bytes, arrives,
  // or when the file ends without the directory its header points to.
  const { app, config, clients } = await buildTestApp(t, stack.endpoints, { MAX_UPLOAD_BYTES: String(16 * MiB) })
  const uploads = trackMultipartUploads(clients.s3)
  const huge = await post(app, [{ filename: 'huge.tif', content: grayTiff({ width: 20_000, height: 20_000, pixelBytes: 12 * MiB }) }])
  t.equal(huge.statusCode, 422)
  t.match(huge.json(), { code: 'TOO_MANY_PIXELS', message: /"huge.tif" is 20000x20000 pixels/ })
  const missing = await post(app, [{ filename: 'missing.tif', content: grayTiff({ width: 4000, height: 3000, pixelBytes: 12 * MiB, ifdOffset: 15 * MiB }) }])
  t.equal(missing.statusCode, 422)
  t.match(missing.json(), { code: 'UNREADABLE_IMAGE', message: /"missing.tif" \(detected image\/tiff\)/ })
  // s3rver answers AbortMultipartUpload with 405, so only the missing objects can be checked here.
  t.equal(uploads.started.length, 2, 'both went to S3 as multipart uploads')
  t.same(await storedState(clients, config), { keys: [], items: [] })
})

t.test('a late refusal in the second file of a request removes the first file too', async t => {
  const { app, config, clients } = await buildTestApp(t, stack.endpoints)
  const res = await post(app, [
    { filename: 'fine.png', content: fixture('image.png') },
    { filename: 'bomb.tif', content: grayTiff({ width: 20_000, height: 20_000, pixelBytes: 2 * MiB }) }
  ])
  t.equal(res.statusCode, 422)
  t.match(res.json(), { code: 'TOO_MANY_PIXELS', message: /bomb\.tif/ })
  t.same(await storedState(clients, config), { keys: [], items: [] })
})

t.test('direct uploads: a late TIFF directory is read from S3 past the first MiB', async t => {
  const target = await buildTestApp(t, stack.endpoints)
  const processing = attachProcessor(t, stack.s3rver, target)
  const direct = async (content: Buffer): Promise<string> => directUpload(t, target.app, 'scan.tif', content)

  const fine = grayTiff({ width: 1500, height: 1000, byteOrder: 'MM' })
  const accepted = await direct(fine)
  t.match(await processing.outcomeOf(accepted), { result: 'admitted' })
  t.match(await processing.outcomeOf(accepted), { result: 'ready' })
  t.match((await target.app.inject({ method: 'GET', url: `/images/${accepted}` })).json(), { status: 'ready', contentType: 'image/tiff', width: 1500, height: 1000 })

  const bomb = await direct(grayTiff({ width: 20_000, height: 20_000, pixelBytes: 2 * MiB }))
  t.match(await processing.outcomeOf(bomb), { result: 'refused', detail: /20000x20000 pixels, over the limit/ })
  const missing = await direct(grayTiff({ width: 1500, height: 1000, ifdOffset: 9_000_000 }))
  t.match(await processing.outcomeOf(missing), { result: 'refused', detail: /detected image\/tiff.*places it at byte 9000000/ })
  const keys = await listKeys(target.clients.s3, target.config.bucket)
  t.notOk(keys.some(key => key.includes(bomb) || key.includes(missing)), 'refused objects deleted')
  t.match((await target.app.inject({ method: 'GET', url: `/images/${bomb}` })).json(), { status: 'rejected', failureReason: /TOO_MANY_PIXELS|over the limit/ })
})

t.test('direct uploads: the late read asks for the directory only, and copes with a server that ignores Range', async t => {
  for (const ignoreRange of [false, true]) {
    const target = await buildTestApp(t, stack.endpoints)
    const recorder = await startS3Recorder(stack.endpoints.s3, { ignoreRange })
    const recorded = testClients({ ...target.config, endpoints: { ...target.config.endpoints, s3: recorder.url } } satisfies Config)
    t.teardown(async () => { destroyAwsClients(recorded); await recorder.close() })
    const processing = attachProcessor(t, stack.s3rver, { config: target.config, clients: recorded })

    const tiff = grayTiff({ width: 1500, height: 1000 })
    const id = await directUpload(t, target.app, 'scan.tif', tiff)
    t.match(await processing.outcomeOf(id), { result: 'admitted' }, `ignoreRange: ${ignoreRange}`)
    t.match(await processing.outcomeOf(id), { result: 'ready' })
    t.match((await target.app.inject({ method: 'GET', url: `/images/${id}` })).json(), { width: 1500, height: 1000 })
    const ranges = recorder.requests.filter(request => request.method === 'GET' && request.key === `incoming/${id}`).map(request => request.range)
    t.same(ranges, [`bytes=0-${HEADER_PROBE_LIMIT - 1}`, `bytes=${8 + 1500 * 1000}-`], 'the first MiB, then from the directory on')
  }
})
