import t from 'tap'
import { RESOURCE_RULES, STACK_RULES, checkResource, checkStack, type PolicyResource } from '../../infra/policies.js'
import { fakeBuild, one, runProgram, stackConfig, type Recorded } from './fixtures/harness.js'

const { resources } = await runProgram({ ...stackConfig('prod'), buildDir: fakeBuild() })

/** A copy of one of the program's resources with a deliberate mistake in its inputs. */
const broken = (type: string, name: string, edit: (inputs: Record<string, any>) => void): PolicyResource => {
  const { id, inputs } = one(resources, type, name) as Recorded
  const copy = structuredClone({ ...inputs, code: undefined })
  edit(copy)
  return { type, name, id, inputs: copy }
}
const policy = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements })
const allow = (Action: string | string[], Resource: string | string[]) => ({ Sid: 'Bad', Effect: 'Allow', Action, Resource })
const PAB = 'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock'
const ROLE_POLICY = 'aws:iam/rolePolicy:RolePolicy'
const PERMISSION = 'aws:lambda/permission:Permission'

// For each rule, resources that break it and the message it must give.
const BROKEN: Record<string, Array<[PolicyResource, RegExp]>> = {
  's3-public-access-block': [
    [broken(PAB, 'images-public-access-block', i => { i['blockPublicAcls'] = false }), /blockPublicAcls must be true/],
    [broken(PAB, 'images-public-access-block', i => { delete i['restrictPublicBuckets'] }), /restrictPublicBuckets must be true/]
  ],
  's3-deny-insecure-transport': [
    [broken('aws:s3/bucketPolicy:BucketPolicy', 'images-policy', i => { i['policy'] = policy({ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: 'arn:aws:s3:::b/*' }) }), /non-TLS/]
  ],
  'encryption-at-rest': [
    [broken('aws:dynamodb/table:Table', 'metadata-table', i => { i['serverSideEncryption'] = { enabled: false } }), /serverSideEncryption/],
    [broken('aws:sqs/queue:Queue', 'processor-dlq', i => { delete i['sqsManagedSseEnabled'] }), /sqsManagedSseEnabled/],
    [broken('aws:sns/topic:Topic', 'alarms-topic', i => { delete i['kmsMasterKeyId'] }), /kmsMasterKeyId/],
    [broken('aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration', 'images-encryption', i => { i['rules'] = [] }), /AES256 or aws:kms/]
  ],
  'iam-no-star': [
    [broken(ROLE_POLICY, 'upload-policy', i => { i['policy'] = policy(allow('*', 'arn:aws:s3:::b/*')) }), /Action "\*"/],
    [broken(ROLE_POLICY, 'upload-policy', i => { i['policy'] = policy(allow('s3:GetObject', '*')) }), /Resource "\*"/],
    [broken('aws:iam/role:Role', 'upload-role', i => { i['inlinePolicies'] = [{ name: 'x', policy: policy(allow('logs:PutLogEvents', '*')) }] }), /Resource "\*"/]
  ],
  'iam-no-wildcard-actions': [
    [broken(ROLE_POLICY, 'processor-handler-policy', i => { i['policy'] = policy(allow('s3:*', 'arn:aws:s3:::b/originals/*')) }), /wildcard action s3:\*/],
    [broken(ROLE_POLICY, 'reconcile-handler-policy', i => { i['policy'] = policy(allow(['dynamodb:Get*'], 'arn:aws:dynamodb:::table/t')) }), /wildcard action dynamodb:Get\*/]
  ],
  'lambda-supported-runtime': [
    [broken('aws:lambda/function:Function', 'upload-function', i => { i['runtime'] = 'nodejs18.x' }), /nodejs18\.x is not one of/]
  ],
  'lambda-permission-scoped': [
    [broken(PERMISSION, 'http-invoke', i => { i['principal'] = '*' }), /not an AWS service/],
    [broken(PERMISSION, 'reconcile-events-invoke', i => { delete i['sourceArn'] }), /sourceArn must be set/],
    [broken(PERMISSION, 'processor-s3-invoke', i => { delete i['sourceAccount'] }), /sourceAccount must be set/]
  ],
  'dynamodb-point-in-time-recovery': [
    [broken('aws:dynamodb/table:Table', 'metadata-table', i => { i['pointInTimeRecovery'] = { enabled: false } }), /pointInTimeRecovery/]
  ],
  'api-stage-access-logging': [
    [broken('aws:apigatewayv2/stage:Stage', 'http-stage', i => { delete i['accessLogSettings'] }), /accessLogSettings/]
  ],
  'log-group-retention': [
    [broken('aws:cloudwatch/logGroup:LogGroup', 'upload-logs', i => { delete i['retentionInDays'] }), /retentionInDays/]
  ],
  'kms-key-rotation': [
    [broken('aws:kms/key:Key', 'alarms-key', i => { i['enableKeyRotation'] = false }), /enableKeyRotation/]
  ],
  's3-acls-disabled': [
    [broken('aws:s3/bucketOwnershipControls:BucketOwnershipControls', 'images-ownership', i => { i['rule'] = { objectOwnership: 'ObjectWriter' } }), /BucketOwnerEnforced/]
  ],
  's3-abort-incomplete-uploads': [
    [broken('aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration', 'images-lifecycle', i => { i['rules'][0].status = 'Disabled' }), /aborts incomplete multipart uploads/],
    [broken('aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration', 'images-lifecycle', i => { i['rules'][0].abortIncompleteMultipartUpload.daysAfterInitiation = 30 }), /within 1 to 7 days/]
  ],
  's3-policy-no-public-allow': [
    [broken('aws:s3/bucketPolicy:BucketPolicy', 'images-policy', i => { i['policy'] = policy({ Sid: 'Public', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }) }), /Public allows the principal "\*"/],
    [broken('aws:s3/bucketPolicy:BucketPolicy', 'images-policy', i => { i['policy'] = policy({ Sid: 'AnyAccount', Effect: 'Allow', Principal: { AWS: '*' }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }) }), /AnyAccount/]
  ],
  'dynamodb-deletion-protection': [
    [broken('aws:dynamodb/table:Table', 'metadata-table', i => { i['deletionProtectionEnabled'] = false }), /deletionProtectionEnabled/]
  ],
  'dynamodb-capacity-scales': [
    [broken('aws:dynamodb/table:Table', 'metadata-table', i => { i['billingMode'] = 'PROVISIONED' }), /PROVISIONED is not PAY_PER_REQUEST/]
  ]
}

t.test('the program passes every rule', async t => {
  t.same(checkStack(resources), [])
})

t.test('every resource rule inspects something this program declares', async t => {
  for (const rule of RESOURCE_RULES) {
    t.ok(resources.some(r => rule.types.includes(r.type)), rule.name)
  }
})

t.test('each resource rule fails on a deliberately broken resource', async t => {
  t.same(Object.keys(BROKEN).sort(), RESOURCE_RULES.map(r => r.name).sort(), 'every rule has a broken case')
  for (const [rule, cases] of Object.entries(BROKEN)) {
    for (const [resource, message] of cases) {
      const violations = checkResource(resource).filter(v => v.rule === rule)
      t.equal(violations.length, 1, `${rule} flags ${resource.name}`)
      t.match(violations[0]?.message, message)
    }
  }
})

t.test('stack rules: a bucket without its protections, a function logging to an unmanaged group', async t => {
  t.same(STACK_RULES.map(r => r.name), ['s3-bucket-protected', 's3-bucket-acls-off-and-lifecycle', 'lambda-log-group-managed'])
  const bare = resources.filter(r => !['images-public-access-block', 'images-encryption', 'images-policy'].includes(r.name))
  t.same(checkStack(bare).filter(v => v.rule === 's3-bucket-protected').map(v => v.message), [
    'bucket images-bucket has no public access block',
    'bucket images-bucket has no server-side encryption configuration',
    'bucket images-bucket has no bucket policy (TLS only)'
  ])
  const loose = resources.filter(r => !['images-ownership', 'images-lifecycle'].includes(r.name))
  t.same(checkStack(loose).map(v => v.message), ['bucket images-bucket has no ownership controls', 'bucket images-bucket has no lifecycle configuration'])
  const unmanaged = resources.filter(r => r.name !== 'reconcile-handler-logs')
  t.same(checkStack(unmanaged).map(v => v.message), ['function reconcile-handler-function logs to /aws/lambda/image-upload-service-test-reconcile_images, which the stack does not create'])
})
