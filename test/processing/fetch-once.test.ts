/**
 * The processor reads each original from S3 once per event, whole, into one buffer; a direct
 * upload's admission reads only its first MiB. Counted on the wire by a proxy in front of s3rver.
 */
import t from 'tap'
import sharp from 'sharp'
import { PutObjectCommand } from '@aws-sdk/client-s3'
import { buildTestApp, testClients } from '../helpers/build-app.js'
import { startEmbeddedStack } from '../helpers/stand-ins.js'
import { fixture, multipartBody } from '../helpers/multipart.js'
import { sha256 } from '../helpers/inspect.js'
import { attachProcessor } from '../helpers/processing.js'
import { startS3Recorder, type S3Recorder } from '../helpers/s3-recorder.js'
import { destroyAwsClients } from '../../app/plugins/aws-clients.js'
import { fetchObject, fetchObjectHead } from '../../app/processing/objects.js'
import { HEADER_PROBE_LIMIT } from '../../app/lib/image-head.js'
import type { Config } from '../../app/config.js'

const stack = await startEmbeddedStack()
t.teardown(() => stack.close())
const { app, config, clients } = await buildTestApp(t, stack.endpoints)

/** The app's clients, with S3 reached through the recorder. */
async function throughRecorder (options: { ignoreRange?: boolean } = {}): Promise<{ recorder: S3Recorder, clients: ReturnType<typeof testClients> }> {
  const recorder = await startS3Recorder(stack.endpoints.s3, options)
  const recorded = testClients({ ...config, endpoints: { ...config.endpoints, s3: recorder.url } } satisfies Config)
  t.teardown(async () => { destroyAwsClients(recorded); await recorder.close() })
  return { recorder, clients: recorded }
}

const { recorder, clients: recorded } = await throughRecorder()
const processing = attachProcessor(t, stack.s3rver, { config, clients: recorded })
const reads = (key: string): Array<{ range?: string }> => recorder.requests
  .filter(request => request.method === 'GET' && request.bucket === config.bucket && request.key === key)
  .map(({ range }) => (range ? { range } : {}))

/** Over a MiB of noise at JPEG quality 100: the admission's ranged read cannot cover it. */
const bigJpeg = await sharp(Buffer.alloc(1200 * 900 * 3).map((_, i) => (i * 7919) % 251), { raw: { width: 1200, height: 900, channels: 3 } })
  .jpeg({ quality: 100 })
  .toBuffer()

t.test('POST /upload: the original is read once, whole', async t => {
  const res = await app.inject({ method: 'POST', url: '/upload', ...await multipartBody([{ filename: 'photo.jpg', content: fixture('photo-rotated.jpg') }]) })
  t.equal(res.statusCode, 201)
  const { id } = res.json() as { id: string }
  t.match(await processing.outcomeOf(id), { result: 'ready' })
  t.same(reads(`originals/${id}`), [{}], 'one GET without a Range')
})

t.test('a direct upload: read once to admit it (first MiB, then the rest walked), then the original read once, whole, and hashed', async t => {
  t.ok(bigJpeg.length > HEADER_PROBE_LIMIT, `the file (${bigJpeg.length} bytes) is larger than the admission reads`)
  const grant = await app.inject({ method: 'POST', url: '/uploads', payload: { filename: 'big.jpg', size: bigJpeg.length, type: 'image/jpeg' } })
  t.equal(grant.statusCode, 201)
  const { id, upload } = grant.json() as { id: string, upload: { url: string, fields: Record<string, string> } }
  const form = new FormData()
  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value)
  form.append('file', new Blob([new Uint8Array(bigJpeg)]), 'file')
  t.ok((await fetch(upload.url, { method: 'POST', body: form })).status < 300, 'presigned POST accepted')

  t.match(await processing.outcomeOf(id), { result: 'admitted' })
  t.match(await processing.outcomeOf(id), { result: 'ready' })
  t.same(reads(`incoming/${id}`), [{ range: `bytes=0-${HEADER_PROBE_LIMIT - 1}` }, { range: `bytes=${HEADER_PROBE_LIMIT}-` }],
    'the admission: a ranged GET of the first MiB for the checks, then the rest, streamed, for the structure walk')
  t.same(reads(`originals/${id}`), [{}], 'processing: one GET without a Range')
  const record = (await app.inject({ method: 'GET', url: `/images/${id}` })).json()
  t.match(record, { status: 'ready', sha256: sha256(bigJpeg), width: 1200, height: 900 }, 'the one buffer held every byte, in order')
})

t.test('a server that ignores Range: the head read stops at its limit and still learns the whole size', async t => {
  const { clients: ignoring } = await throughRecorder({ ignoreRange: true })
  const key = 'originals/ignored-range'
  await clients.s3.send(new PutObjectCommand({ Bucket: config.bucket, Key: key, Body: bigJpeg }))
  const head = await fetchObjectHead(ignoring.s3, config.bucket, key, 1000)
  t.equal(head?.size, bigJpeg.length, 'the size from Content-Length')
  t.same(head?.bytes, bigJpeg.subarray(0, 1000), 'only the first bytes kept')
  const whole = await fetchObject(ignoring.s3, config.bucket, key)
  t.same(whole?.bytes.equals(bigJpeg), true, 'the client still works after closing the cut-off response')
  t.equal(await fetchObject(ignoring.s3, config.bucket, 'originals/missing'), undefined, 'a missing key is undefined')
})
