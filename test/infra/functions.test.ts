import { join } from 'node:path'
import t, { type Test } from 'tap'
import { statementsOf } from '../../infra/policies.js'
import { ACCOUNT, PROJECT, REGION, fakeBuild, one, ofType, runProgram, stackConfig, type Recorded } from './fixtures/harness.js'

const buildDir = fakeBuild()
const { resources, outputs } = await runProgram({ ...stackConfig('prod'), buildDir })
const bucket = one(resources, 'aws:s3/bucket:Bucket', 'images-bucket')
const B = bucket.state['arn'] as string
/** Physical names start with <project>-<stack> (the harness's stack is "test"). */
const named = (base: string) => `${PROJECT}-test-${base}`
const TABLE = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${named('ImageMetadata')}`
const logs = (fn: string) => `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/${named(fn)}:*`
const fn = (name: string) => one(resources, 'aws:lambda/function:Function', name).inputs
const policyOf = (component: string): Recorded => one(resources, 'aws:iam/rolePolicy:RolePolicy', `${component}-policy`)
/** Statements as Sid -> sorted actions on sorted resources, for exact comparison. */
const grants = (t: Test, component: string) => Object.fromEntries(statementsOf(policyOf(component).inputs['policy']).map(s => {
  t.equal(s.Effect, 'Allow', `${component} ${s.Sid} allows`)
  return [s.Sid, { Action: [...s.Action].sort(), Resource: [...s.Resource].sort(), ...(s.Condition ? { Condition: s.Condition } : {}) }]
}))

t.test('three functions on nodejs22.x, each from its own build folder', async t => {
  t.same(ofType(resources, 'aws:lambda/function:Function').map(f => f.inputs['name']).sort(), ['process_image', 'reconcile_images', 'upload_image'].map(named))
  for (const [name, dir] of [['upload-function', 'lambda'], ['processor-handler-function', 'processor-arm64'], ['reconcile-handler-function', 'reconcile']] as const) {
    t.equal(fn(name)['runtime'], 'nodejs22.x', name)
    t.equal(fn(name)['handler'], 'index.handler', name)
    t.equal(await fn(name)['code'].path, join(buildDir, `${dir}.zip`), `${name} code`)
  }
})

t.test('the API function fits inside API Gateway: timeout under 30 s, arm64, 1024 MB', async t => {
  const api = fn('upload-function')
  t.ok(api['timeout'] < 30, `timeout ${api['timeout']}`)
  t.equal(api['timeout'], 29)
  t.same(api['architectures'], ['arm64'])
  t.equal(api['memorySize'], 1024)
  t.equal(api['reservedConcurrentExecutions'], undefined, 'unreserved unless configured')
  t.equal(outputs['apiFunctionName'], named('upload_image'))
})

t.test('the API function is told the real bucket and table, and runs in aws mode', async t => {
  t.same(fn('upload-function')['environment'], {
    variables: {
      APP_MODE: 'aws',
      BUCKET_NAME: bucket.id,
      TABLE_NAME: named('ImageMetadata'),
      MAX_UPLOAD_BYTES: '4194304',
      PUBLIC_URL: 'https://upload.mennaimages.com',
      LOG_LEVEL: 'info',
      NODE_OPTIONS: '--enable-source-maps'
    }
  })
})

t.test('the processor runs arm64 unless configured, from its arm64 archive, with 2 GB and 60 s', async t => {
  t.match(fn('processor-handler-function'), { architectures: ['arm64'], memorySize: 2048, timeout: 60 })
  t.equal(await fn('processor-handler-function')['code'].path, join(buildDir, 'processor-arm64.zip'))
  t.match(fn('processor-handler-function')['environment'].variables, { BUCKET_NAME: bucket.id, TABLE_NAME: named('ImageMetadata'), APP_MODE: 'aws' })
  t.match(fn('reconcile-handler-function'), { timeout: 300, environment: { variables: { BUCKET_NAME: bucket.id, TABLE_NAME: named('ImageMetadata') } } })
})

t.test('each function logs JSON to its own log group, created with retention', async t => {
  for (const [component, name] of [['upload', 'upload_image'], ['processor-handler', 'process_image'], ['reconcile-handler', 'reconcile_images']]) {
    t.same(fn(`${component}-function`)['loggingConfig'], { logFormat: 'JSON', logGroup: `/aws/lambda/${named(name!)}` })
    t.match(one(resources, 'aws:cloudwatch/logGroup:LogGroup', `${component}-logs`).inputs, { name: `/aws/lambda/${named(name!)}`, retentionInDays: 30 })
  }
})

t.test('every role is assumable by Lambda only and has no managed policies', async t => {
  for (const component of ['upload', 'processor-handler', 'reconcile-handler']) {
    const role = one(resources, 'aws:iam/role:Role', `${component}-role`)
    t.same(JSON.parse(role.inputs['assumeRolePolicy']).Statement, [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }])
    t.equal(role.inputs['managedPolicyArns'], undefined)
    t.equal(policyOf(component).inputs['role'], role.id, `${component}-policy is attached to ${component}-role`)
    t.equal(fn(`${component}-function`)['role'], role.state['arn'])
  }
  t.equal(ofType(resources, 'aws:iam/rolePolicyAttachment:RolePolicyAttachment').length, 0, 'no AWSLambdaBasicExecutionRole')
})

t.test('the upload function may do exactly what the app does, on its own data', async t => {
  t.same(grants(t, 'upload'), {
    Originals: { Action: ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:PutObject'], Resource: [`${B}/originals/*`] },
    IncomingDirectUploads: { Action: ['s3:DeleteObject', 's3:PutObject'], Resource: [`${B}/incoming/*`] },
    ProcessedVariants: { Action: ['s3:DeleteObject', 's3:GetObject'], Resource: [`${B}/processed/*`] },
    Metadata: { Action: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], Resource: [TABLE] },
    ListByUploadedAt: { Action: ['dynamodb:Query'], Resource: [`${TABLE}/index/byUploadedAt`] },
    OwnLogs: { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: [logs('upload_image')] }
  })
})

t.test('the processor moves direct uploads to originals, writes variants, sends failures to its queue', async t => {
  const queue = one(resources, 'aws:sqs/queue:Queue', 'processor-dlq')
  t.same(grants(t, 'processor-handler'), {
    CheckIncomingDirectUploads: { Action: ['s3:DeleteObject', 's3:GetObject'], Resource: [`${B}/incoming/*`] },
    Originals: { Action: ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'], Resource: [`${B}/originals/*`] },
    WriteVariants: { Action: ['s3:DeleteObject', 's3:PutObject'], Resource: [`${B}/processed/*`] },
    ListOwnObjects: { Action: ['s3:ListBucket'], Resource: [B], Condition: { StringLike: { 's3:prefix': ['originals/*', 'incoming/*'] } } },
    Metadata: { Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], Resource: [TABLE] },
    DeadLetters: { Action: ['sqs:SendMessage'], Resource: [queue.state['arn']] },
    OwnLogs: { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: [logs('process_image')] }
  })
})

t.test('the reconcile function lists originals/, processed/ and incoming/ only and deletes what is orphaned', async t => {
  t.same(grants(t, 'reconcile-handler'), {
    ListImageObjects: { Action: ['s3:ListBucket'], Resource: [B], Condition: { StringLike: { 's3:prefix': ['originals/*', 'processed/*', 'incoming/*'] } } },
    StrayDirectUploads: { Action: ['s3:DeleteObject'], Resource: [`${B}/incoming/*`] },
    Originals: { Action: ['s3:DeleteObject', 's3:GetObject'], Resource: [`${B}/originals/*`] },
    ProcessedVariants: { Action: ['s3:DeleteObject'], Resource: [`${B}/processed/*`] },
    Metadata: { Action: ['dynamodb:DeleteItem', 'dynamodb:GetItem'], Resource: [TABLE] },
    ListByUploadedAt: { Action: ['dynamodb:Query'], Resource: [`${TABLE}/index/byUploadedAt`] },
    OwnLogs: { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: [logs('reconcile_images')] }
  })
})
