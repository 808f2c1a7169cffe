import * as aws from '@pulumi/aws'
import * as pulumi from '@pulumi/pulumi'
import { INCOMING, ORIGINALS, processorStatements } from '../permissions.js'
import { ServiceFunction } from './function.js'

export interface ImageProcessorArgs {
  bucket: { id: pulumi.Input<string>, arn: pulumi.Input<string> }
  /**
   * The bucket's last configuration write (ImageBucket.configured): the notification is one more,
   * and S3 refuses one that overlaps another with 409 OperationAborted.
   */
  bucketConfigured: pulumi.Resource
  table: { name: pulumi.Input<string>, arn: pulumi.Input<string> }
  /** The processor's zip for `architecture` (dist/processor-<architecture>.zip): sharp's binaries differ. */
  codeArchive: string
  /** Default arm64 (Graviton: about 20% cheaper per GB-second than x86_64). */
  architecture?: 'arm64' | 'x86_64'
  accountId: pulumi.Input<string>
  logLevel: string
  logRetentionDays: number
  /** Physical name (the stack derives it from its own name). */
  functionName: string
  /** Default 2048 MB: sharp is CPU-bound and Lambda gives CPU in proportion to memory. */
  memorySize?: number
  /** Default 60 s. */
  timeout?: number
  /** Attempts after the first before an event goes to the dead-letter queue. Default 2. */
  maximumRetryAttempts?: number
}

/**
 * Checks every direct upload that lands under incoming/ and makes the variants of every object
 * that lands under originals/ (S3 invokes the function asynchronously); events that still fail
 * after the retries are kept in an encrypted SQS queue.
 */
export class ImageProcessor extends pulumi.ComponentResource {
  readonly handler: ServiceFunction
  readonly deadLetterQueue: aws.sqs.Queue
  readonly invokeConfig: aws.lambda.FunctionEventInvokeConfig
  readonly notification: aws.s3.BucketNotification

  constructor (name: string, args: ImageProcessorArgs, opts?: pulumi.ComponentResourceOptions) {
    super('image-upload:processing:ImageProcessor', name, {}, opts)
    const parent = { parent: this }

    this.deadLetterQueue = new aws.sqs.Queue(`${name}-dlq`, {
      sqsManagedSseEnabled: true,
      messageRetentionSeconds: 14 * 24 * 3600
    }, parent)

    this.handler = new ServiceFunction(`${name}-handler`, {
      functionName: args.functionName,
      description: 'Makes the processed/ variants of each new original',
      codeArchive: args.codeArchive,
      architecture: args.architecture ?? 'arm64',
      memorySize: args.memorySize ?? 2048,
      timeout: args.timeout ?? 60,
      environment: {
        APP_MODE: 'aws',
        BUCKET_NAME: args.bucket.id,
        TABLE_NAME: args.table.name,
        LOG_LEVEL: args.logLevel,
        NODE_OPTIONS: '--enable-source-maps'
      },
      statements: processorStatements({ bucketArn: args.bucket.arn, tableArn: args.table.arn }, this.deadLetterQueue.arn),
      logRetentionDays: args.logRetentionDays
    }, parent)

    this.invokeConfig = new aws.lambda.FunctionEventInvokeConfig(`${name}-async`, {
      functionName: this.handler.functionName,
      maximumRetryAttempts: args.maximumRetryAttempts ?? 2,
      destinationConfig: { onFailure: { destination: this.deadLetterQueue.arn } }
    }, parent)

    const permission = new aws.lambda.Permission(`${name}-s3-invoke`, {
      action: 'lambda:InvokeFunction',
      function: this.handler.functionName,
      principal: 's3.amazonaws.com',
      sourceArn: args.bucket.arn,
      // Bucket ARNs carry no account; this keeps another account's same-named bucket out.
      sourceAccount: args.accountId
    }, parent)

    this.notification = new aws.s3.BucketNotification(`${name}-notification`, {
      bucket: args.bucket.id,
      // Only these prefixes: the variants it writes under processed/ must not invoke it again.
      lambdaFunctions: [INCOMING, ORIGINALS].map(prefix => ({
        lambdaFunctionArn: this.handler.arn,
        events: ['s3:ObjectCreated:*'],
        filterPrefix: prefix
      }))
    }, { parent: this, dependsOn: [permission, args.bucketConfigured] })

    this.registerOutputs({ functionName: this.handler.functionName, deadLetterQueueUrl: this.deadLetterQueue.url })
  }
}
