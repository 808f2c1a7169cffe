// The image upload service on AWS: storage, the HTTP API and its Lambda function, the image
// processor, the daily reconcile job, the custom domain and the alarms. Settings come from
// stack config (Pulumi.yaml documents every key); run `npm run build` first.
import * as aws from '@pulumi/aws'
import { readSettings } from './settings.js'
import { apiStatements } from './permissions.js'
import { ImageBucket } from './components/storage.js'
import { MetadataTable } from './components/table.js'
import { ServiceFunction, builtCode } from './components/function.js'
import { HttpApi } from './components/api.js'
import { ApiDomain } from './components/domain.js'
import { ImageProcessor } from './components/processing.js'
import { ReconcileJob } from './components/reconcile.js'
import { Alarms } from './components/alarms.js'

const settings = readSettings()
const identity = aws.getCallerIdentityOutput()
const partition = aws.getPartitionOutput()

// Browsers POST large files straight to S3 from the service's own pages and from any other
// configured origin. Not from the execute-api URL: it is for checking the API, and the app's
// PUBLIC_URL sends every page's redirects to the custom domain anyway.
const images = new ImageBucket('images', { bucketName: settings.bucketName, corsOrigins: [...new Set([settings.origin, ...settings.api.corsOrigins])] })
const metadata = new MetadataTable('metadata', { tableName: settings.tableName, deletionProtection: settings.deletionProtection })
const bucket = { id: images.bucket.id, arn: images.arn }
const table = { name: metadata.tableName, arn: metadata.arn }

const app = new ServiceFunction('upload', {
  functionName: settings.names.apiFunction,
  description: 'Image upload service (Fastify app behind API Gateway)',
  codeArchive: builtCode(settings.buildDir, 'lambda'),
  architecture: settings.api.architecture,
  memorySize: settings.api.memoryMb,
  timeout: settings.api.timeoutSeconds,
  reservedConcurrency: settings.api.reservedConcurrency,
  environment: {
    APP_MODE: 'aws',
    BUCKET_NAME: images.bucketName,
    TABLE_NAME: metadata.tableName,
    MAX_UPLOAD_BYTES: String(settings.api.maxUploadBytes),
    PUBLIC_URL: settings.origin,
    LOG_LEVEL: settings.api.logLevel,
    NODE_OPTIONS: '--enable-source-maps',
    // Unset: only delete tokens delete. A secret output keeps the function's environment
    // encrypted in Pulumi's state; in AWS, Lambda encrypts it at rest.
    ...(settings.adminApiKey && { ADMIN_API_KEY: settings.adminApiKey })
  },
  statements: apiStatements({ bucketArn: images.arn, tableArn: metadata.arn }),
  logRetentionDays: settings.logRetentionDays
})

const api = new HttpApi('http', {
  handler: { arn: app.arn, functionName: app.functionName },
  corsOrigins: settings.api.corsOrigins,
  throttleBurstLimit: settings.api.throttleBurstLimit,
  throttleRateLimit: settings.api.throttleRateLimit,
  logRetentionDays: settings.logRetentionDays,
  disableExecuteApiEndpoint: settings.api.disableExecuteApiEndpoint
})

const domain = new ApiDomain('domain', {
  domain: settings.domain,
  zone: settings.zone,
  apiId: api.apiId,
  stageName: api.stage.name
})

const processor = new ImageProcessor('processor', {
  functionName: settings.names.processorFunction,
  bucket,
  bucketConfigured: images.configured,
  table,
  codeArchive: builtCode(settings.buildDir, `processor-${settings.processorArchitecture}`),
  architecture: settings.processorArchitecture,
  accountId: identity.accountId,
  logLevel: settings.api.logLevel,
  logRetentionDays: settings.logRetentionDays
})

const reconcile = new ReconcileJob('reconcile', {
  functionName: settings.names.reconcileFunction,
  bucket,
  table,
  codeArchive: builtCode(settings.buildDir, 'reconcile'),
  schedule: settings.reconcileSchedule,
  logLevel: settings.api.logLevel,
  logRetentionDays: settings.logRetentionDays
})

const alarms = new Alarms('alarms', {
  keyAlias: settings.names.alarmKeyAlias,
  apiFunctionName: app.functionName,
  apiTimeoutSeconds: settings.api.timeoutSeconds,
  processorFunctionName: processor.handler.functionName,
  reconcileFunctionName: reconcile.handler.functionName,
  deadLetterQueueName: processor.deadLetterQueue.name,
  apiId: api.apiId,
  accountId: identity.accountId,
  partition: partition.partition,
  alarmEmail: settings.alarmEmail
})

export const apiUrl = api.url
/** Undefined until the custom domain is served (see nextStep). */
export const customDomainUrl = domain.url
/** What to do before the next deploy (delegate the new zone); undefined when nothing is left. */
export const nextStep = domain.nextStep
export const bucketName = images.bucketName
export const tableName = metadata.tableName
export const zoneId = domain.zoneId
export const nameServers = domain.nameServers
export const apiFunctionName = app.functionName
export const processorFunctionName = processor.handler.functionName
export const reconcileFunctionName = reconcile.handler.functionName
export const deadLetterQueueUrl = processor.deadLetterQueue.url
export const alarmTopicArn = alarms.topic.arn
