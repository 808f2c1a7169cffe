// IAM policy documents as data, so permissions.ts reads like the policy it produces and the
// tests and policies.ts can inspect the JSON that reaches AWS.
import * as pulumi from '@pulumi/pulumi'

export interface Statement {
  Sid: string
  Effect: 'Allow' | 'Deny'
  Action: string[]
  Resource: pulumi.Input<string>[]
  Principal?: '*' | { Service: string } | { AWS: pulumi.Input<string> }
  Condition?: Record<string, Record<string, pulumi.Input<string> | pulumi.Input<string>[]>>
}

export const policyDocument = (statements: pulumi.Input<Statement[]>): pulumi.Output<string> =>
  pulumi.jsonStringify({ Version: '2012-10-17', Statement: statements })

/** Trust policy letting one AWS service assume a role. */
export const assumeRolePolicy = (service: string): string => JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }]
})

/** ARN of every object under a key prefix, e.g. arn:aws:s3:::bucket/originals/*. */
export const objectsUnder = (bucketArn: pulumi.Input<string>, prefix: string): pulumi.Output<string> =>
  pulumi.interpolate`${bucketArn}/${prefix}*`

/** Log streams of one log group (CreateLogStream and PutLogEvents act on them). */
export const logStreamsOf = (logGroupArn: pulumi.Input<string>): pulumi.Output<string> =>
  pulumi.interpolate`${logGroupArn}:*`
