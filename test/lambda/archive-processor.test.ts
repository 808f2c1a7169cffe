import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { PutObjectCommand } from '@aws-sdk/client-s3'
import { bundle, ENTRIES } from '../../infra/bundle.js'
import { newImageId, originalKey } from '../../app/lib/keys.js'
import { buildTestApp } from '../helpers/build-app.js'
import { elfMachine, nativeBinaries } from '../helpers/elf.js'
import { listKeys } from '../helpers/inspect.js'
import { jsonLines, LAMBDA_LEVELS, startSandbox, unpackArchive } from '../helpers/lambda-sandbox.js'
import { fixture, multipartBody } from '../helpers/multipart.js'
import { s3Event } from '../helpers/s3-events.js'
import { CREDENTIALS, startEmbeddedStack, tempDir } from '../helpers/stand-ins.js'

// Building (esbuild, fetching sharp's packages, zipping) takes tens of seconds on two busy cores.
t.setTimeout(240_000)

// process_image from its x86_64 archive (this machine's CPU), run as Lambda unpacks it, on S3
// events for originals the app stored. The arm64 archive is checked in bundle-architectures.
const out = await tempDir('processor-archive-')
t.teardown(() => out.remove())
const [built] = await bundle(ENTRIES.filter(entry => entry.name === 'processor'), { outDir: out.path, architectures: ['x86_64'] })
const archive = await unpackArchive(built!.zip)
t.teardown(() => archive.remove())

const stack = await startEmbeddedStack()
t.teardown(() => stack.close())
const { app, config, clients } = await buildTestApp(t, stack.endpoints)
const processor = await startSandbox(archive, {
  functionName: 'process_image',
  memoryMb: 2048,
  env: {
    APP_MODE: 'endpoints',
    AWS_ENDPOINT_URL_S3: stack.endpoints.s3,
    AWS_ENDPOINT_URL_DYNAMODB: stack.endpoints.dynamodb,
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    AWS_REGION: config.region,
    BUCKET_NAME: config.bucket,
    TABLE_NAME: config.table,
    PROCESS_ITEM_WAIT_MS: '300',
    LOG_LEVEL: 'info'
  }
})
t.teardown(() => processor.stop())

async function upload (name: string): Promise<{ id: string, key: string, size: number }> {
  const res = await app.inject({ method: 'POST', url: '/upload', ...await multipartBody([{ filename: name, content: fixture(name) }]) })
  return res.json()
}

t.test('the x86_64 archive carries sharp with its linux-x64 binaries only, and runs read-only on Node 22', async t => {
  t.same(readdirSync(join(archive.taskRoot, 'node_modules', '@img')).sort(), ['colour', 'sharp-libvips-linux-x64', 'sharp-linux-x64'])
  const binaries = nativeBinaries(archive.taskRoot)
  t.ok(binaries.length >= 2)
  for (const path of binaries) t.equal(elfMachine(path), 'x86_64', path)
  t.match(processor.nodeVersion, /^v22\./)
  t.same(processor.writable, { taskRoot: false, tmp: true })
})

t.test('an S3 ObjectCreated event: sharp loads from the archive and makes the variants; its log line is INFO', async t => {
  const image = await upload('image.jpg')
  const result = await processor.invoke(s3Event({ bucket: config.bucket, key: image.key, size: image.size }))
  t.match(result, { outcomes: [{ id: image.id, result: 'ready' }] })
  t.ok((await listKeys(clients.s3, config.bucket)).includes(`processed/${image.id}/thumb.webp`))
  t.match(jsonLines(processor).find(line => line['imageId'] === image.id), { level: 'INFO', msg: 'image processed', timestamp: String })
})

t.test('a record that fails: the invocation fails (Lambda retries) and the line says ERROR', async t => {
  const orphan = newImageId()
  await clients.s3.send(new PutObjectCommand({ Bucket: config.bucket, Key: originalKey(orphan), Body: fixture('image.png') }))
  await t.rejects(processor.invoke(s3Event({ bucket: config.bucket, key: originalKey(orphan) })), /1 of 1 records could not be processed/)
  t.match(jsonLines(processor).find(line => line['imageId'] === orphan), { level: 'ERROR', err: { type: 'ItemNotWritten' } }, processor.stdout.join('\n'))
  for (const line of jsonLines(processor)) t.match(line['level'], LAMBDA_LEVELS, String(line['msg']))
})
