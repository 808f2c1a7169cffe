import t from 'tap'
import { statementsOf } from '../../infra/policies.js'
import { ACCOUNT, PROJECT, fakeBuild, one, ofType, runProgram, stackConfig } from './fixtures/harness.js'

const { resources, outputs } = await runProgram({ ...stackConfig('prod'), buildDir: fakeBuild() })
const bucket = one(resources, 'aws:s3/bucket:Bucket', 'images-bucket')
const queue = one(resources, 'aws:sqs/queue:Queue', 'processor-dlq')
const processor = one(resources, 'aws:lambda/function:Function', 'processor-handler-function')
const reconcile = one(resources, 'aws:lambda/function:Function', 'reconcile-handler-function')
const topic = one(resources, 'aws:sns/topic:Topic', 'alarms-topic')
const named = (base: string) => `${PROJECT}-test-${base}`
const alarm = (id: string) => one(resources, 'aws:cloudwatch/metricAlarm:MetricAlarm', `alarms-${id}`).inputs

t.test('new direct uploads and originals (and nothing else) invoke the processor', async t => {
  const notification = one(resources, 'aws:s3/bucketNotification:BucketNotification', 'processor-notification')
  t.equal(notification.inputs['bucket'], bucket.id)
  t.same(notification.inputs['lambdaFunctions'], ['incoming/', 'originals/'].map(prefix => ({ lambdaFunctionArn: processor.state['arn'], events: ['s3:ObjectCreated:*'], filterPrefix: prefix })))
  const permission = one(resources, 'aws:lambda/permission:Permission', 'processor-s3-invoke')
  t.match(permission.inputs, { function: named('process_image'), principal: 's3.amazonaws.com', sourceArn: bucket.state['arn'], sourceAccount: ACCOUNT })
  // S3 checks that it may invoke the function when the notification is saved.
  t.ok(resources.indexOf(permission) < resources.indexOf(notification), 'the permission is registered before the notification')
})

t.test('events the processor keeps failing on land in an encrypted dead-letter queue after 2 retries', async t => {
  t.match(queue.inputs, { sqsManagedSseEnabled: true, messageRetentionSeconds: 1209600 })
  const config = one(resources, 'aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig', 'processor-async').inputs
  t.same(config, { functionName: named('process_image'), maximumRetryAttempts: 2, destinationConfig: { onFailure: { destination: queue.state['arn'] } } })
  t.equal(outputs['deadLetterQueueUrl'], queue.state['url'])
})

t.test('the reconcile function runs on a daily schedule', async t => {
  const rule = one(resources, 'aws:cloudwatch/eventRule:EventRule', 'reconcile-schedule')
  t.equal(rule.inputs['scheduleExpression'], 'rate(1 day)')
  t.match(one(resources, 'aws:cloudwatch/eventTarget:EventTarget', 'reconcile-target').inputs, { rule: rule.state['name'], arn: reconcile.state['arn'] })
  t.match(one(resources, 'aws:lambda/permission:Permission', 'reconcile-events-invoke').inputs, {
    function: named('reconcile_images'), principal: 'events.amazonaws.com', sourceArn: rule.state['arn']
  })
})

t.test('alarms cover errors, throttles, slow requests, processing failures, dead letters and 5xx', async t => {
  t.same(ofType(resources, 'aws:cloudwatch/metricAlarm:MetricAlarm').map(a => a.name).sort(), [
    'alarms-api-5xx', 'alarms-api-duration-p99', 'alarms-api-errors', 'alarms-api-throttles', 'alarms-dlq-messages', 'alarms-processor-errors', 'alarms-reconcile-errors'
  ])
  t.match(alarm('api-errors'), { namespace: 'AWS/Lambda', metricName: 'Errors', dimensions: { FunctionName: named('upload_image') }, statistic: 'Sum', threshold: 1 })
  t.match(alarm('api-throttles'), { namespace: 'AWS/Lambda', metricName: 'Throttles', dimensions: { FunctionName: named('upload_image') }, threshold: 1 })
  // 80% of the 29 s timeout, in milliseconds.
  t.match(alarm('api-duration-p99'), { metricName: 'Duration', extendedStatistic: 'p99', threshold: 23200, dimensions: { FunctionName: named('upload_image') } })
  t.equal(alarm('api-duration-p99')['statistic'], undefined, 'a percentile alarm has no plain statistic')
  t.match(alarm('processor-errors'), { metricName: 'Errors', dimensions: { FunctionName: named('process_image') }, threshold: 1 })
  t.match(alarm('reconcile-errors'), { metricName: 'Errors', dimensions: { FunctionName: named('reconcile_images') } })
  t.match(alarm('dlq-messages'), { namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesVisible', dimensions: { QueueName: queue.state['name'] }, threshold: 1 })
  t.match(alarm('api-5xx'), { namespace: 'AWS/ApiGateway', metricName: '5xx', dimensions: { ApiId: 'api0123456' }, threshold: 1 })
})

t.test('every alarm notifies the topic, fires at the threshold and ignores missing data', async t => {
  for (const a of ofType(resources, 'aws:cloudwatch/metricAlarm:MetricAlarm')) {
    t.match(a.inputs, { comparisonOperator: 'GreaterThanOrEqualToThreshold', treatMissingData: 'notBreaching', evaluationPeriods: 1 }, a.name)
    t.same(a.inputs['alarmActions'], [topic.state['arn']], `${a.name} alarm action`)
  }
  t.equal(outputs['alarmTopicArn'], topic.state['arn'])
})

t.test('the topic is encrypted with a rotating key CloudWatch may use', async t => {
  const key = one(resources, 'aws:kms/key:Key', 'alarms-key')
  t.equal(topic.inputs['kmsMasterKeyId'], key.state['arn'], 'not alias/aws/sns, which CloudWatch cannot publish through')
  t.equal(key.inputs['enableKeyRotation'], true)
  const cloudwatch = statementsOf(key.inputs['policy']).find(s => s.Principal?.Service === 'cloudwatch.amazonaws.com')
  t.same(cloudwatch?.Action, ['kms:Decrypt', 'kms:GenerateDataKey*'])
  // A service principal acts for every account: without this, CloudWatch could use the key on
  // behalf of an alarm in any other account (the confused deputy).
  t.same(cloudwatch?.Condition, { StringEquals: { 'aws:SourceAccount': ACCOUNT } })
  t.equal(ofType(resources, 'aws:sns/topicSubscription:TopicSubscription').length, 0, 'no e-mail subscription unless alarmEmail is set')
})
