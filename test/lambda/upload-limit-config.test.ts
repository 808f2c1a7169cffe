import t from 'tap'
import { LAMBDA_MAX_UPLOAD_BYTES, loadConfig } from '../../app/config.js'

t.test('in Lambda, MAX_UPLOAD_BYTES defaults to 4 MiB so a request fits API Gateway and Lambda payload limits', async t => {
  t.equal(LAMBDA_MAX_UPLOAD_BYTES, 4 * 1024 * 1024)
  t.equal(loadConfig({ AWS_LAMBDA_FUNCTION_NAME: 'image-upload' }).maxUploadBytes, 4 * 1024 * 1024)
  t.equal(loadConfig({ AWS_LAMBDA_FUNCTION_NAME: 'image-upload', APP_MODE: 'endpoints', AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9000' }).maxUploadBytes, 4 * 1024 * 1024)
  // base64 of the largest allowed file plus multipart framing stays under Lambda's 6 MB request payload.
  t.ok(Math.ceil((LAMBDA_MAX_UPLOAD_BYTES + 64 * 1024) / 3) * 4 < 6_291_456)
})

t.test('an explicit MAX_UPLOAD_BYTES wins in Lambda; outside Lambda the default stays 10 MiB', async t => {
  t.equal(loadConfig({ AWS_LAMBDA_FUNCTION_NAME: 'image-upload', MAX_UPLOAD_BYTES: '1048576' }).maxUploadBytes, 1048576)
  t.equal(loadConfig({ AWS_LAMBDA_FUNCTION_NAME: 'image-upload', MAX_UPLOAD_BYTES: '10485760' }).maxUploadBytes, 10485760)
  t.equal(loadConfig({}).maxUploadBytes, 10 * 1024 * 1024)
  t.equal(loadConfig({ AWS_LAMBDA_FUNCTION_NAME: '' }).maxUploadBytes, 10 * 1024 * 1024)
})
