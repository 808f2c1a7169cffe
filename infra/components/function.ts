import { existsSync } from 'node:fs'
import { join } from 'node:path'
import * as aws from '@pulumi/aws'
import * as pulumi from '@pulumi/pulumi'
import { assumeRolePolicy, logStreamsOf, policyDocument, type Statement } from '../iam.js'

export const NODE_RUNTIME = 'nodejs22.x'

export interface ServiceFunctionArgs {
  /** Name in AWS; the log group is /aws/lambda/<functionName>. */
  functionName: string
  description: string
  /** The function's zip from npm run build (dist/<name>.zip); Pulumi uploads a .zip as it is. */
  codeArchive: string
  /** Default index.handler. */
  handler?: string
  /** Default nodejs22.x. */
  runtime?: string
  /** Default arm64. */
  architecture?: 'arm64' | 'x86_64'
  /** MB, default 1024. */
  memorySize?: number
  /** Seconds, default 29. */
  timeout?: number
  environment: Record<string, pulumi.Input<string>>
  /** What the function may do besides writing its own logs (that statement is added here). */
  statements: Statement[]
  logRetentionDays: number
  /** Unset: the function shares the account's unreserved concurrency. */
  reservedConcurrency?: number
}

/**
 * One Lambda function with its own role, inline least-privilege policy and log group. The log
 * group is created here (not by Lambda on first run) so it has a retention period and the role
 * can be limited to it: no AWSLambdaBasicExecutionRole, whose logs statement is Resource "*".
 */
export class ServiceFunction extends pulumi.ComponentResource {
  readonly function: aws.lambda.Function
  readonly role: aws.iam.Role
  readonly logGroup: aws.cloudwatch.LogGroup
  readonly functionName: pulumi.Output<string>
  readonly arn: pulumi.Output<string>

  constructor (name: string, args: ServiceFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
    super('image-upload:lambda:ServiceFunction', name, {}, opts)
    const parent = { parent: this }

    this.logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, {
      name: `/aws/lambda/${args.functionName}`,
      retentionInDays: args.logRetentionDays
    }, parent)

    this.role = new aws.iam.Role(`${name}-role`, {
      description: `Runs the ${args.functionName} Lambda function`,
      assumeRolePolicy: assumeRolePolicy('lambda.amazonaws.com')
    }, parent)

    const policy = new aws.iam.RolePolicy(`${name}-policy`, {
      role: this.role.id,
      policy: policyDocument([
        ...args.statements,
        { Sid: 'OwnLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: [logStreamsOf(this.logGroup.arn)] }
      ])
    }, parent)

    this.function = new aws.lambda.Function(`${name}-function`, {
      name: args.functionName,
      description: args.description,
      runtime: args.runtime ?? NODE_RUNTIME,
      handler: args.handler ?? 'index.handler',
      code: new pulumi.asset.FileArchive(args.codeArchive),
      architectures: [args.architecture ?? 'arm64'],
      memorySize: args.memorySize ?? 1024,
      timeout: args.timeout ?? 29,
      role: this.role.arn,
      reservedConcurrentExecutions: args.reservedConcurrency,
      environment: { variables: args.environment },
      loggingConfig: { logFormat: 'JSON', logGroup: this.logGroup.name }
    }, { parent: this, dependsOn: [policy] })

    this.functionName = this.function.name
    this.arn = this.function.arn
    this.registerOutputs({ functionName: this.functionName, arn: this.arn })
  }
}

/** The archive of one built function; fails early when npm run build has not produced it. */
export function builtCode (buildDir: string, name: string): string {
  const archive = join(buildDir, `${name}.zip`)
  if (!existsSync(archive)) {
    throw new pulumi.RunError(`${archive} does not exist: run npm run build before pulumi preview/up`)
  }
  return archive
}
