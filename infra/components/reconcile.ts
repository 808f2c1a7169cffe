import * as aws from '@pulumi/aws'
import * as pulumi from '@pulumi/pulumi'
import { reconcileStatements } from '../permissions.js'
import { ServiceFunction } from './function.js'

export interface ReconcileJobArgs {
  bucket: { id: pulumi.Input<string>, arn: pulumi.Input<string> }
  table: { name: pulumi.Input<string>, arn: pulumi.Input<string> }
  /** The built reconcile function's zip (dist/reconcile.zip). */
  codeArchive: string
  /** EventBridge schedule expression. Default rate(1 day). */
  schedule?: string
  logLevel: string
  logRetentionDays: number
  /** Physical name (the stack derives it from its own name). */
  functionName: string
  /** Default 300 s. */
  timeout?: number
}

/** A scheduled sweep that removes originals without metadata and metadata without originals. */
export class ReconcileJob extends pulumi.ComponentResource {
  readonly handler: ServiceFunction
  readonly schedule: aws.cloudwatch.EventRule
  readonly target: aws.cloudwatch.EventTarget

  constructor (name: string, args: ReconcileJobArgs, opts?: pulumi.ComponentResourceOptions) {
    super('image-upload:processing:ReconcileJob', name, {}, opts)
    const parent = { parent: this }

    this.handler = new ServiceFunction(`${name}-handler`, {
      functionName: args.functionName,
      description: 'Removes orphaned originals and metadata',
      codeArchive: args.codeArchive,
      memorySize: 512,
      timeout: args.timeout ?? 300,
      environment: {
        APP_MODE: 'aws',
        BUCKET_NAME: args.bucket.id,
        TABLE_NAME: args.table.name,
        LOG_LEVEL: args.logLevel,
        NODE_OPTIONS: '--enable-source-maps'
      },
      statements: reconcileStatements({ bucketArn: args.bucket.arn, tableArn: args.table.arn }),
      logRetentionDays: args.logRetentionDays
    }, parent)

    const rule = this.schedule = new aws.cloudwatch.EventRule(`${name}-schedule`, {
      description: `Runs ${args.functionName}`,
      scheduleExpression: args.schedule ?? 'rate(1 day)'
    }, parent)

    const permission = new aws.lambda.Permission(`${name}-events-invoke`, {
      action: 'lambda:InvokeFunction',
      function: this.handler.functionName,
      principal: 'events.amazonaws.com',
      sourceArn: rule.arn
    }, parent)

    this.target = new aws.cloudwatch.EventTarget(`${name}-target`, {
      rule: rule.name,
      arn: this.handler.arn
    }, { parent: this, dependsOn: [permission] })

    this.registerOutputs({ functionName: this.handler.functionName })
  }
}
