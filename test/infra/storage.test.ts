import t, { type Test } from 'tap'
import { LIST_INDEX, tableDefinition } from '../../app/lib/table.js'
import { statementsOf } from '../../infra/policies.js'
import { PROJECT, fakeBuild, one, ofType, runProgram, stackConfig, waitsFor } from './fixtures/harness.js'

const { resources, outputs } = await runProgram({ ...stackConfig('prod'), buildDir: fakeBuild() })
const bucket = one(resources, 'aws:s3/bucket:Bucket', 'images-bucket')
const bucketId = bucket.id
const bucketArn = bucket.state['arn']
const sideOf = (t: Test, type: string) => {
  const found = ofType(resources, type).filter(r => r.inputs['bucket'] === bucketId)
  t.equal(found.length, 1, `one ${type} for the bucket`)
  return found[0]!.inputs
}

t.test('the stack has one bucket, auto-named, exported as bucketName', async t => {
  t.equal(ofType(resources, 'aws:s3/bucket:Bucket').length, 1)
  t.equal(ofType(resources, 'aws:s3/bucketV2:BucketV2').length, 0, 'no deprecated BucketV2')
  t.equal(bucket.inputs['bucket'], undefined, 'Pulumi picks the name')
  t.equal(outputs['bucketName'], bucketId)
})

t.test('the bucket blocks every kind of public access and enforces bucket ownership', async t => {
  t.match(sideOf(t, 'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock'), {
    blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true
  })
  t.same(sideOf(t, 'aws:s3/bucketOwnershipControls:BucketOwnershipControls')['rule'], { objectOwnership: 'BucketOwnerEnforced' })
})

t.test('objects are encrypted at rest by default', async t => {
  const { rules } = sideOf(t, 'aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration')
  t.same(rules, [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }])
})

t.test('the bucket policy denies every S3 request that is not over TLS, and allows nothing', async t => {
  const statements = statementsOf(sideOf(t, 'aws:s3/bucketPolicy:BucketPolicy')['policy'])
  t.same(statements, [{
    Sid: 'DenyInsecureTransport',
    Effect: 'Deny',
    Principal: '*',
    Action: ['s3:*'],
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } }
  }])
})

t.test('unfinished multipart uploads are aborted after a day, across the whole bucket; unchecked direct uploads expire after a day', async t => {
  const { rules } = sideOf(t, 'aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration')
  t.same(rules, [
    // The whole bucket is the empty prefix: the provider sends an empty filter {} as a rule with
    // no filter at all, which S3 refuses (or the provider warns about) depending on the version.
    { id: 'abort-incomplete-multipart-uploads', status: 'Enabled', filter: { prefix: '' }, abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } },
    { id: 'expire-unchecked-direct-uploads', status: 'Enabled', filter: { prefix: 'incoming/' }, expiration: { days: 1 } }
  ])
})

t.test('the bucket\'s configuration is written one piece at a time, the processor\'s notification included', async t => {
  // S3 answers concurrent configuration writes to one bucket with 409 OperationAborted ("A
  // conflicting conditional operation is currently in progress"): every two of them must be ordered.
  const writes = resources.filter(r => r.type.startsWith('aws:s3/') && r.inputs['bucket'] === bucketId)
  t.same(writes.map(r => r.type.split(':').pop()).sort(), [
    'BucketCorsConfiguration', 'BucketLifecycleConfiguration', 'BucketNotification', 'BucketOwnershipControls',
    'BucketPolicy', 'BucketPublicAccessBlock', 'BucketServerSideEncryptionConfiguration'
  ])
  for (const [i, a] of writes.entries()) {
    for (const b of writes.slice(i + 1)) t.ok(waitsFor(resources, a, b) || waitsFor(resources, b, a), `${a.name} and ${b.name} are ordered`)
  }
  const notification = writes.find(r => r.name === 'processor-notification')!
  t.ok(writes.every(w => w === notification || waitsFor(resources, notification, w)), 'the notification comes last')
})

t.test('CORS lets only the service origin read and POST/PUT straight to S3', async t => {
  const { corsRules } = sideOf(t, 'aws:s3/bucketCorsConfiguration:BucketCorsConfiguration')
  t.equal(corsRules.length, 1)
  t.same(corsRules[0].allowedOrigins, ['https://upload.mennaimages.com'])
  t.same([...corsRules[0].allowedMethods].sort(), ['GET', 'HEAD', 'POST', 'PUT'])
})

t.test('the metadata table: on demand, recoverable, encrypted, TTL on expiresAt, protected from deletion', async t => {
  const table = one(resources, 'aws:dynamodb/table:Table', 'metadata-table').inputs
  t.match(table, {
    name: `${PROJECT}-test-ImageMetadata`,
    billingMode: 'PAY_PER_REQUEST',
    hashKey: 'id',
    pointInTimeRecovery: { enabled: true },
    serverSideEncryption: { enabled: true },
    ttl: { attributeName: 'expiresAt', enabled: true },
    deletionProtectionEnabled: true
  })
  t.equal(table['rangeKey'], undefined)
  t.equal(outputs['tableName'], `${PROJECT}-test-ImageMetadata`)
})

t.test('the table has the shape the app creates locally (app/lib/table.ts)', async t => {
  const table = one(resources, 'aws:dynamodb/table:Table', 'metadata-table').inputs
  const local = tableDefinition('ImageMetadata')
  const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name)
  t.same([...table['attributes']].sort(byName), local.AttributeDefinitions.map(a => ({ name: a.AttributeName, type: a.AttributeType })).sort(byName))
  t.same(table['globalSecondaryIndexes'], local.GlobalSecondaryIndexes.map(index => ({
    name: index.IndexName,
    keySchemas: index.KeySchema.map(k => ({ attributeName: k.AttributeName, keyType: k.KeyType })),
    projectionType: index.Projection.ProjectionType
  })))
  t.equal(table['globalSecondaryIndexes'][0].name, LIST_INDEX)
  t.same(table['globalSecondaryIndexes'][0].keySchemas, [{ attributeName: 'kind', keyType: 'HASH' }, { attributeName: 'uploadedAt', keyType: 'RANGE' }])
})
