import t from 'tap'
import { loadConfig, ConfigError } from '../../app/config.js'
import { spawnNodeApp } from '../helpers/node-app.js'

t.test('defaults: the seed names, 10 MiB, 100 MP, local mode', async t => {
  const config = loadConfig({})
  t.match(config, {
    mode: 'local',
    port: 3000,
    bucket: 'image-upload-bucket',
    table: 'ImageMetadata',
    dataDir: './.data',
    maxUploadBytes: 10 * 1024 * 1024,
    maxPixels: 100_000_000
  })
  t.equal(config.allowedTypes.length, 9)
})

t.test('the mode follows the environment', async t => {
  t.equal(loadConfig({ AWS_ENDPOINT_URL_S3: 'http://localhost:9000' }).mode, 'endpoints')
  t.equal(loadConfig({ AWS_LAMBDA_FUNCTION_NAME: 'upload_image' }).mode, 'aws')
  t.equal(loadConfig({ APP_MODE: 'aws' }).mode, 'aws')
  t.equal(loadConfig({ APP_MODE: 'local', AWS_ENDPOINT_URL_S3: 'http://localhost:9000' }).mode, 'local')
})

t.test('values are coerced from strings', async t => {
  const config = loadConfig({ PORT: '8080', MAX_UPLOAD_BYTES: '1024', ALLOWED_TYPES: 'image/png,image/jpeg', BUCKET_NAME: 'my-bucket' })
  t.match(config, { port: 8080, maxUploadBytes: 1024, allowedTypes: ['image/png', 'image/jpeg'], bucket: 'my-bucket' })
})

const refusals: Array<[Record<string, string>, RegExp]> = [
  [{ MAX_UPLOAD_BYTES: 'abc' }, /MAX_UPLOAD_BYTES must be integer/],
  [{ MAX_UPLOAD_BYTES: '0' }, /MAX_UPLOAD_BYTES must be >= 1/],
  [{ PORT: '70000' }, /PORT must be <= 65535/],
  [{ APP_MODE: 'cloud' }, /APP_MODE must be equal to one of the allowed values \(auto, local, endpoints, aws\)/],
  [{ BUCKET_NAME: 'Not_A_Bucket' }, /BUCKET_NAME must match pattern/],
  [{ AWS_ENDPOINT_URL_S3: 'localhost:9000' }, /AWS_ENDPOINT_URL_S3 must match pattern/],
  [{ ALLOWED_TYPES: 'image/png,image/svg+xml' }, /ALLOWED_TYPES has unsupported types: image\/svg\+xml/],
  [{ S3_PART_SIZE: '1024' }, /S3_PART_SIZE must be >= 5242880/],
  [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL must be equal to one of the allowed values/]
]

for (const [env, message] of refusals) {
  t.test(`refuses ${JSON.stringify(env)}`, async t => {
    t.throws(() => loadConfig(env), { name: 'ConfigError', message })
  })
}

t.test('ConfigError is what a bad config throws', async t => {
  t.throws(() => loadConfig({ PORT: 'x' }), ConfigError)
})

t.test('`node app` with a bad value stops boot with a message naming the variable', async t => {
  const app = spawnNodeApp({ MAX_UPLOAD_BYTES: 'abc', PORT: '0' })
  const code = await app.exited
  t.equal(code, 1)
  t.match(app.stderr(), 'Invalid configuration: MAX_UPLOAD_BYTES must be integer')
  t.notMatch(app.stderr(), /\n\s+at /, 'no stack trace')
})
