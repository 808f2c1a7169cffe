import * as aws from '@pulumi/aws'
import * as pulumi from '@pulumi/pulumi'

export interface AlarmsArgs {
  /** Name of the topic key's alias, e.g. alias/<project>-<stack>-alarms. */
  keyAlias: string
  apiFunctionName: pulumi.Input<string>
  /** The API function's timeout in seconds; the p99 duration alarm fires at 80% of it. */
  apiTimeoutSeconds: number
  processorFunctionName: pulumi.Input<string>
  reconcileFunctionName: pulumi.Input<string>
  deadLetterQueueName: pulumi.Input<string>
  apiId: pulumi.Input<string>
  accountId: pulumi.Input<string>
  partition: pulumi.Input<string>
  /** Subscribed to the topic when set (AWS e-mails a confirmation link first). */
  alarmEmail?: string
}

interface AlarmSpec {
  id: string
  description: pulumi.Input<string>
  namespace: string
  metricName: string
  dimensions: Record<string, pulumi.Input<string>>
  statistic?: string
  extendedStatistic?: string
  threshold: number
  period?: number
}

/**
 * CloudWatch alarms on the service's failure signals, sent to one SNS topic. The topic is
 * encrypted with a customer managed key: CloudWatch cannot publish to a topic encrypted with
 * the AWS managed alias/aws/sns key, whose policy cannot grant it kms:GenerateDataKey.
 */
export class Alarms extends pulumi.ComponentResource {
  readonly key: aws.kms.Key
  readonly keyAlias: aws.kms.Alias
  readonly topic: aws.sns.Topic
  readonly subscription?: aws.sns.TopicSubscription
  readonly alarms: aws.cloudwatch.MetricAlarm[]

  constructor (name: string, args: AlarmsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('image-upload:monitoring:Alarms', name, {}, opts)
    const parent = { parent: this }

    const key = this.key = new aws.kms.Key(`${name}-key`, {
      description: 'Encrypts the image upload alarm topic',
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: pulumi.jsonStringify({
        Version: '2012-10-17',
        Statement: [
          {
            // The account's default key statement: without it IAM policies cannot manage the key
            // and it could become unmanageable. In a key policy, Resource "*" means this key.
            Sid: 'AccountAdministers',
            Effect: 'Allow',
            Principal: { AWS: pulumi.interpolate`arn:${args.partition}:iam::${args.accountId}:root` },
            Action: 'kms:*',
            Resource: '*'
          },
          {
            // Only for alarms of this account: the service principal otherwise acts for any
            // account's alarms (the confused deputy).
            Sid: 'CloudWatchAlarmsPublish',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Resource: '*',
            Condition: { StringEquals: { 'aws:SourceAccount': args.accountId } }
          }
        ]
      })
    }, parent)
    this.keyAlias = new aws.kms.Alias(`${name}-key-alias`, { name: args.keyAlias, targetKeyId: key.keyId }, parent)

    this.topic = new aws.sns.Topic(`${name}-topic`, { kmsMasterKeyId: key.arn }, parent)
    if (args.alarmEmail !== undefined) {
      this.subscription = new aws.sns.TopicSubscription(`${name}-email`, { topic: this.topic.arn, protocol: 'email', endpoint: args.alarmEmail }, parent)
    }

    const lambda = (functionName: pulumi.Input<string>) => ({ FunctionName: functionName })
    const api = args.apiFunctionName
    const specs: AlarmSpec[] = [
      { id: 'api-errors', description: pulumi.interpolate`${api} threw or timed out`, namespace: 'AWS/Lambda', metricName: 'Errors', dimensions: lambda(args.apiFunctionName), statistic: 'Sum', threshold: 1 },
      { id: 'api-throttles', description: pulumi.interpolate`${api} was throttled`, namespace: 'AWS/Lambda', metricName: 'Throttles', dimensions: lambda(args.apiFunctionName), statistic: 'Sum', threshold: 1 },
      {
        id: 'api-duration-p99',
        description: pulumi.interpolate`${api} p99 duration is above 80% of its timeout`,
        namespace: 'AWS/Lambda',
        metricName: 'Duration',
        dimensions: lambda(args.apiFunctionName),
        extendedStatistic: 'p99',
        threshold: Math.round(args.apiTimeoutSeconds * 1000 * 0.8),
        period: 300
      },
      { id: 'processor-errors', description: pulumi.interpolate`${args.processorFunctionName} failed`, namespace: 'AWS/Lambda', metricName: 'Errors', dimensions: lambda(args.processorFunctionName), statistic: 'Sum', threshold: 1 },
      { id: 'reconcile-errors', description: pulumi.interpolate`${args.reconcileFunctionName} failed`, namespace: 'AWS/Lambda', metricName: 'Errors', dimensions: lambda(args.reconcileFunctionName), statistic: 'Sum', threshold: 1, period: 3600 },
      { id: 'dlq-messages', description: 'S3 events the processor gave up on', namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesVisible', dimensions: { QueueName: args.deadLetterQueueName }, statistic: 'Maximum', threshold: 1, period: 300 },
      { id: 'api-5xx', description: 'API Gateway answered 5xx', namespace: 'AWS/ApiGateway', metricName: '5xx', dimensions: { ApiId: args.apiId }, statistic: 'Sum', threshold: 1 }
    ]

    this.alarms = specs.map(spec => new aws.cloudwatch.MetricAlarm(`${name}-${spec.id}`, {
      alarmDescription: spec.description,
      namespace: spec.namespace,
      metricName: spec.metricName,
      dimensions: spec.dimensions,
      statistic: spec.statistic,
      extendedStatistic: spec.extendedStatistic,
      period: spec.period ?? 60,
      evaluationPeriods: 1,
      threshold: spec.threshold,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      // No traffic is not a failure.
      treatMissingData: 'notBreaching',
      alarmActions: [this.topic.arn],
      okActions: [this.topic.arn]
    }, parent))

    this.registerOutputs({ topicArn: this.topic.arn })
  }
}
