// A stack that reuses a hosted zone by id and overrides the optional settings.
import t from 'tap'
import { ACCOUNT, EXISTING_ZONE_ID, REGION, fakeBuild, isSecretInput, one, ofType, runProgram, unsecret } from './fixtures/harness.js'

const { resources, invokes, outputs } = await runProgram({
  domain: 'upload.mennaimages.com',
  zoneId: EXISTING_ZONE_ID,
  tableName: 'ImagesStaging',
  logRetentionDays: '90',
  apiReservedConcurrency: '20',
  disableExecuteApiEndpoint: 'true',
  corsOrigins: JSON.stringify(['https://upload.mennaimages.com', 'https://admin.mennaimages.com']),
  alarmEmail: 'ops@mennaimages.com',
  adminApiKey: 'an-admin-key-of-at-least-32-characters',
  buildDir: fakeBuild()
})

t.test('the zone is looked up by id, not created', async t => {
  t.equal(ofType(resources, 'aws:route53/zone:Zone').length, 0)
  const lookups = invokes.filter(i => i.token === 'aws:route53/getZone:getZone')
  t.equal(lookups.length, 1)
  t.same(lookups[0]!.inputs, { zoneId: EXISTING_ZONE_ID })
  t.equal(outputs['zoneId'], EXISTING_ZONE_ID)
  t.same(outputs['nameServers'], ['ns-9.awsdns-09.net'])
})

t.test('an existing zone is live already: the certificate and custom domain come in the first deploy', async t => {
  t.equal(one(resources, 'aws:acm/certificateValidation:CertificateValidation', 'domain-certificate-validation').options.customTimeouts.create, '30m')
  t.equal(outputs['customDomainUrl'], 'https://upload.mennaimages.com')
  t.equal(outputs['nextStep'], undefined)
})

t.test('validation and alias records go into the existing zone', async t => {
  const records = ofType(resources, 'aws:route53/record:Record')
  t.same(records.map(r => r.name).sort(), ['domain-alias-a', 'domain-alias-aaaa', 'domain-validation-0'])
  for (const record of records) t.equal(record.inputs['zoneId'], EXISTING_ZONE_ID, record.name)
})

t.test('a configured table name reaches the table, the environment and the grants', async t => {
  t.equal(one(resources, 'aws:dynamodb/table:Table', 'metadata-table').inputs['name'], 'ImagesStaging')
  t.equal(unsecret(one(resources, 'aws:lambda/function:Function', 'upload-function').inputs['environment']).variables.TABLE_NAME, 'ImagesStaging')
  t.match(one(resources, 'aws:iam/rolePolicy:RolePolicy', 'upload-policy').inputs['policy'], `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/ImagesStaging`)
  t.equal(outputs['tableName'], 'ImagesStaging')
})

t.test('a configured admin API key reaches the app, and only the app, as a secret', async t => {
  const environment = one(resources, 'aws:lambda/function:Function', 'upload-function').inputs['environment']
  t.ok(isSecretInput(environment), 'the environment is kept encrypted in the state')
  t.equal(unsecret(environment).variables.ADMIN_API_KEY, 'an-admin-key-of-at-least-32-characters')
  for (const fn of ofType(resources, 'aws:lambda/function:Function').filter(f => f.name !== 'upload-function')) {
    t.notOk('ADMIN_API_KEY' in unsecret(fn.inputs['environment']).variables, fn.name)
  }
})

t.test('every log group keeps the configured retention', async t => {
  const groups = ofType(resources, 'aws:cloudwatch/logGroup:LogGroup')
  t.equal(groups.length, 4)
  for (const group of groups) t.equal(group.inputs['retentionInDays'], 90, group.name)
})

t.test('the bucket lets every configured origin send files straight to S3 and read them back', async t => {
  const [cors] = ofType(resources, 'aws:s3/bucketCorsConfiguration:BucketCorsConfiguration')
  t.same(cors!.inputs['corsRules'][0].allowedOrigins, ['https://upload.mennaimages.com', 'https://admin.mennaimages.com'])
})

t.test('optional settings: reserved concurrency, custom-domain only, extra CORS origin, alarm e-mail', async t => {
  t.equal(one(resources, 'aws:lambda/function:Function', 'upload-function').inputs['reservedConcurrentExecutions'], 20)
  const api = one(resources, 'aws:apigatewayv2/api:Api', 'http-api').inputs
  t.equal(api['disableExecuteApiEndpoint'], true)
  t.same(api['corsConfiguration'].allowOrigins, ['https://upload.mennaimages.com', 'https://admin.mennaimages.com'])
  const topic = one(resources, 'aws:sns/topic:Topic', 'alarms-topic')
  t.same(one(resources, 'aws:sns/topicSubscription:TopicSubscription', 'alarms-email').inputs, { topic: topic.state['arn'], protocol: 'email', endpoint: 'ops@mennaimages.com' })
})
