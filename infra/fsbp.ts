// The AWS Security Hub controls (AWS Foundational Security Best Practices and neighbours) that
// apply to this stack, and the rules in policies.ts that check each. test/infra/fsbp.test.ts
// keeps the map honest: every rule named exists, and every control is checked or says why not.

export interface ControlCoverage {
  id: string
  title: string
  /** Rule names from policies.ts; empty when the stack cannot check it (see `outside`). */
  rules: string[]
  /** Why no rule of this stack checks the control. */
  outside?: string
}

export const CONTROLS: ControlCoverage[] = [
  { id: 'S3.1', title: 'S3 block public access settings enabled (account level)', rules: [], outside: 'an account-wide setting (s3:PutAccountPublicAccessBlock) that affects every bucket of the account: for the account owner, not this stack; the bucket-level block is S3.8' },
  { id: 'S3.2', title: 'S3 buckets prohibit public read access', rules: ['s3-public-access-block', 's3-policy-no-public-allow', 's3-acls-disabled'] },
  { id: 'S3.3', title: 'S3 buckets prohibit public write access', rules: ['s3-public-access-block', 's3-policy-no-public-allow', 's3-acls-disabled'] },
  { id: 'S3.4', title: 'S3 buckets have server-side encryption enabled', rules: ['encryption-at-rest', 's3-bucket-protected'] },
  { id: 'S3.5', title: 'S3 buckets require requests to use SSL', rules: ['s3-deny-insecure-transport', 's3-bucket-protected'] },
  { id: 'S3.6', title: 'S3 bucket policies restrict access to other AWS accounts', rules: ['s3-policy-no-public-allow'] },
  { id: 'S3.8', title: 'S3 buckets block public access', rules: ['s3-public-access-block', 's3-bucket-protected'] },
  { id: 'S3.12', title: 'ACLs are not used to manage access to S3 buckets', rules: ['s3-acls-disabled', 's3-bucket-acls-off-and-lifecycle'] },
  { id: 'S3.13', title: 'S3 buckets have lifecycle configurations', rules: ['s3-abort-incomplete-uploads', 's3-bucket-acls-off-and-lifecycle'] },
  { id: 'DynamoDB.1', title: 'DynamoDB tables scale capacity with demand', rules: ['dynamodb-capacity-scales'] },
  { id: 'DynamoDB.2', title: 'DynamoDB tables have point-in-time recovery enabled', rules: ['dynamodb-point-in-time-recovery'] },
  { id: 'DynamoDB.6', title: 'DynamoDB tables have deletion protection enabled', rules: ['dynamodb-deletion-protection'] },
  { id: 'Lambda.1', title: 'Lambda function policies prohibit public access', rules: ['lambda-permission-scoped'] },
  { id: 'Lambda.2', title: 'Lambda functions use supported runtimes', rules: ['lambda-supported-runtime'] },
  { id: 'APIGateway.9', title: 'Access logging is configured for API Gateway V2 stages', rules: ['api-stage-access-logging'] },
  { id: 'CloudWatch.16', title: 'CloudWatch log groups are retained for a set time', rules: ['log-group-retention', 'lambda-log-group-managed'] },
  { id: 'IAM.1', title: 'IAM policies do not allow full "*" administrative privileges', rules: ['iam-no-star'] },
  { id: 'IAM.21', title: 'IAM policies do not allow wildcard actions for services', rules: ['iam-no-wildcard-actions'] },
  { id: 'KMS.4', title: 'KMS key rotation is enabled', rules: ['kms-key-rotation'] },
  { id: 'SQS.1', title: 'SQS queues are encrypted at rest', rules: ['encryption-at-rest'] },
  { id: 'SNS.1', title: 'SNS topics are encrypted at rest with KMS', rules: ['encryption-at-rest'] }
]
