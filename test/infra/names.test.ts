// A second stack (staging) beside prod in the same account and region: every physical name it
// fixes carries the project and stack, so neither stack can take or replace the other's resources.
import t from 'tap'
import { PROJECT, fakeBuild, one, ofType, runProgram, stackConfig } from './fixtures/harness.js'

const { resources, outputs } = await runProgram({ ...stackConfig('prod'), buildDir: fakeBuild() }, 'staging')
const PREFIX = `${PROJECT}-staging-`
const functions = ofType(resources, 'aws:lambda/function:Function')

t.test('the three functions, the table and the alarm key alias are named after the stack', async t => {
  t.same(functions.map(f => f.inputs['name']).sort(), [`${PREFIX}process_image`, `${PREFIX}reconcile_images`, `${PREFIX}upload_image`])
  t.equal(one(resources, 'aws:dynamodb/table:Table', 'metadata-table').inputs['name'], `${PREFIX}ImageMetadata`)
  t.equal(one(resources, 'aws:kms/alias:Alias', 'alarms-key-alias').inputs['name'], `alias/${PREFIX}alarms`)
  t.match(outputs, { apiFunctionName: `${PREFIX}upload_image`, processorFunctionName: `${PREFIX}process_image`, reconcileFunctionName: `${PREFIX}reconcile_images`, tableName: `${PREFIX}ImageMetadata` })
})

t.test('each function\'s log group is /aws/lambda/<its name>, the one Lambda would use', async t => {
  for (const fn of functions) {
    const group = `/aws/lambda/${fn.inputs['name']}`
    t.equal(fn.inputs['loggingConfig'].logGroup, group, fn.name)
    t.equal(ofType(resources, 'aws:cloudwatch/logGroup:LogGroup').filter(g => g.inputs['name'] === group).length, 1, `${group} is created`)
  }
})

t.test('no other resource fixes a physical name: the rest are auto-named by Pulumi or belong to the domain', async t => {
  // Zone and API domain names are the service's domain (one stack per domain); a stage is named
  // inside its own API; the access log group is named after the auto-named API.
  const named = resources.filter(r => r.type.startsWith('aws:') && typeof r.inputs['name'] === 'string')
  const own = new Set(['aws:lambda/function:Function', 'aws:dynamodb/table:Table', 'aws:kms/alias:Alias'])
  for (const r of named) {
    if (own.has(r.type)) t.match(r.inputs['name'], PREFIX, r.name)
    else if (r.type === 'aws:cloudwatch/logGroup:LogGroup') t.ok(r.inputs['name'].startsWith(`/aws/lambda/${PREFIX}`) || r.name === 'http-access-logs', r.name)
    else t.ok(['aws:route53/zone:Zone', 'aws:apigatewayv2/stage:Stage'].includes(r.type), `${r.type} ${r.name} sets no fixed name`)
  }
  t.equal(one(resources, 'aws:s3/bucket:Bucket', 'images-bucket').inputs['bucket'], undefined, 'the bucket is auto-named')
})

t.test('the alarms watch this stack\'s functions', async t => {
  for (const alarm of ofType(resources, 'aws:cloudwatch/metricAlarm:MetricAlarm').filter(a => a.inputs['namespace'] === 'AWS/Lambda')) {
    t.match(alarm.inputs['dimensions'].FunctionName, PREFIX, alarm.name)
  }
})
