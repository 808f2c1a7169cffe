// The peer a Node user would pick: Express 5 + multer 2 + multer-s3 3 (versions pinned in
// package.json devDependencies), streaming the file to S3 and putting a DynamoDB item, the
// way their READMEs show it. Same stand-ins and limits as the app; run: node --import tsx.
import { randomUUID } from 'node:crypto'
import express, { type ErrorRequestHandler } from 'express'
import multer from 'multer'
import multerS3 from 'multer-s3'
import { DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb'

const env = process.env
const bucket = env['BUCKET_NAME'] ?? 'image-upload-bucket'
const table = env['TABLE_NAME'] ?? 'ImageMetadata'
const s3 = new S3Client({
  endpoint: env['AWS_ENDPOINT_URL_S3'],
  forcePathStyle: true,
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED'
})
const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: env['AWS_ENDPOINT_URL_DYNAMODB'] }))

const upload = multer({
  storage: multerS3({
    s3,
    bucket,
    contentType: multerS3.AUTO_CONTENT_TYPE,
    key: (_req, _file, cb) => cb(null, `originals/${randomUUID()}`)
  }),
  limits: { fileSize: Number(env['MAX_UPLOAD_BYTES'] ?? 10 * 1024 * 1024), files: 1 }
})

const app = express()
app.get('/health', (_req, res) => { res.json({ status: 'ok' }) })
app.post('/upload', upload.single('file'), async (req, res) => {
  const file = req.file as (Express.Multer.File & { key: string, contentType: string }) | undefined
  if (!file) {
    res.status(400).json({ error: 'No file was sent: add the image in a multipart field named "file".' })
    return
  }
  if (!file.contentType.startsWith('image/')) {
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: file.key }))
    res.status(415).json({ error: `Not an image: ${file.contentType}` })
    return
  }
  const record = {
    id: file.key.slice('originals/'.length),
    key: file.key,
    bucket,
    filename: file.originalname,
    contentType: file.contentType,
    size: file.size,
    uploadedAt: new Date().toISOString()
  }
  await ddb.send(new PutCommand({ TableName: table, Item: { ...record, kind: 'image' }, ConditionExpression: 'attribute_not_exists(id)' }))
  res.status(201).json(record)
})
app.use(((err, _req, res, _next) => {
  const status = err instanceof multer.MulterError && err.code === 'LIMIT_FILE_SIZE' ? 413 : 500
  res.status(status).json({ error: (err as Error).message })
}) satisfies ErrorRequestHandler)

const server = app.listen(Number(env['PORT'] ?? 3000), env['HOST'] ?? '127.0.0.1')
process.once('SIGTERM', () => server.close(() => process.exit(0)))
