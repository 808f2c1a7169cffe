/**
 * `node app` as a user runs it: a child process on the embedded stack, a real HTTP client,
 * and S3 and DynamoDB checked through their own APIs on the ports the startup log names (every
 * port is 0: the app and its stack pick free ones).
 */
import t from 'tap'
import { S3Client, GetObjectCommand } from '@aws-sdk/client-s3'
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb'
import { tempDir } from '../helpers/stand-ins.js'
import { fixture } from '../helpers/multipart.js'
import { sha256 } from '../helpers/inspect.js'
import { spawnNodeApp, waitForStartup } from '../helpers/node-app.js'

const dataDir = await tempDir()
t.teardown(() => dataDir.remove())
const env = { PORT: '0', DATA_DIR: dataDir.path, LOG_LEVEL: 'info' }
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' }

async function upload (base: string, name: string): Promise<Response> {
  const form = new FormData()
  form.append('file', new Blob([new Uint8Array(fixture(name))]), name)
  return fetch(`${base}/upload`, { method: 'POST', body: form })
}

t.test('uploads through `node app`, keeps the data across a restart, and shuts down cleanly', async t => {
  const first = spawnNodeApp(env)
  t.teardown(() => { first.child.kill('SIGKILL') })
  const started = await waitForStartup(first)
  t.match(started, { mode: 'local', url: /^http:\/\/127\.0\.0\.1:\d+$/, s3Endpoint: /^http:\/\/127\.0\.0\.1:\d+$/, dynamodbEndpoint: /^http:\/\/127\.0\.0\.1:\d+$/ }, 'the startup log names the mode, its address and the local endpoints')
  const s3 = new S3Client({ endpoint: started.s3Endpoint, region: 'us-east-1', forcePathStyle: true, credentials })
  const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: started.dynamodbEndpoint, region: 'us-east-1', credentials }))
  t.teardown(() => { s3.destroy(); ddb.destroy() })

  const res = await upload(started.url, 'image.jpg')
  t.equal(res.status, 201)
  const record = await res.json() as { id: string, key: string, sha256: string }
  t.equal(record.sha256, sha256(fixture('image.jpg')))

  const object = await s3.send(new GetObjectCommand({ Bucket: 'image-upload-bucket', Key: record.key }))
  t.equal(sha256(await object.Body!.transformToByteArray()), record.sha256, 'S3 holds the exact bytes')
  t.equal(object.ContentType, 'image/jpeg')
  const { Item } = await ddb.send(new GetCommand({ TableName: 'ImageMetadata', Key: { id: record.id } }))
  t.match(Item, { id: record.id, key: record.key, sha256: record.sha256, filename: 'image.jpg' }, 'DynamoDB holds the item')

  const summary = first.logs.find(line => line['msg'] === 'image stored')
  t.match(summary, { imageId: record.id, contentType: 'image/jpeg', bytes: fixture('image.jpg').length, ms: Number, reqId: String }, 'one summary line per upload, with the request id')

  first.child.kill('SIGTERM')
  t.equal(await first.exited, 0, 'SIGTERM exits cleanly')
  t.ok(first.logs.some(line => line['msg'] === 'shut down cleanly'))

  const second = spawnNodeApp(env)
  t.teardown(() => { second.child.kill('SIGKILL') })
  const restarted = await waitForStartup(second)
  const page = await fetch(`${restarted.url}/gallery/${record.id}`)
  t.equal(page.status, 200, 'the upload survived the restart')
  t.match(await page.text(), record.sha256)
  second.child.kill('SIGINT')
  t.equal(await second.exited, 0, 'SIGINT exits cleanly')
})
