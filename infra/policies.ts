// Security rules over the resources a program registers, in the shape of @pulumi/policy's
// validateResource / validateStack but as plain functions: constructing a PolicyPack starts a
// gRPC server, so test/infra runs these over the inputs its mocks record instead.

export interface PolicyResource {
  type: string
  name: string
  inputs: Record<string, any>
  /** Physical id, when known (mocks); used to tie a bucket to its side resources. */
  id?: string
}

export interface Violation { rule: string, resource: string, message: string }

export interface ResourceRule {
  name: string
  description: string
  types: string[]
  validateResource: (resource: PolicyResource) => string[]
}

export interface StackRule {
  name: string
  description: string
  validateStack: (resources: PolicyResource[]) => string[]
}

export const SUPPORTED_RUNTIMES = ['nodejs22.x', 'nodejs24.x']

const T = {
  bucket: 'aws:s3/bucket:Bucket',
  bucketV2: 'aws:s3/bucketV2:BucketV2',
  publicAccessBlock: 'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock',
  ownershipControls: 'aws:s3/bucketOwnershipControls:BucketOwnershipControls',
  lifecycle: 'aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration',
  bucketPolicy: 'aws:s3/bucketPolicy:BucketPolicy',
  bucketEncryption: 'aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration',
  table: 'aws:dynamodb/table:Table',
  queue: 'aws:sqs/queue:Queue',
  topic: 'aws:sns/topic:Topic',
  rolePolicy: 'aws:iam/rolePolicy:RolePolicy',
  policy: 'aws:iam/policy:Policy',
  role: 'aws:iam/role:Role',
  lambda: 'aws:lambda/function:Function',
  permission: 'aws:lambda/permission:Permission',
  stage: 'aws:apigatewayv2/stage:Stage',
  logGroup: 'aws:cloudwatch/logGroup:LogGroup',
  kmsKey: 'aws:kms/key:Key'
} as const

export interface Statement { Sid?: string, Effect?: string, Principal?: any, Action: string[], Resource: string[], Condition?: any }

const list = (value: unknown): string[] => value === undefined ? [] : Array.isArray(value) ? value.map(String) : [String(value)]

/** Statements of a policy document given as JSON text or as an object. */
export function statementsOf (policy: unknown): Statement[] {
  const doc = typeof policy === 'string' ? JSON.parse(policy) : policy
  const raw = (doc as { Statement?: unknown } | undefined)?.Statement
  const statements: any[] = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]
  return statements.map(s => ({ ...s, Action: list(s.Action), Resource: list(s.Resource) }))
}

/** Identity and bucket policies a resource carries (key policies are checked by their own rule). */
function policiesOf (r: PolicyResource): unknown[] {
  if (r.type === T.rolePolicy || r.type === T.policy || r.type === T.bucketPolicy) return [r.inputs['policy']]
  if (r.type === T.role) return (r.inputs['inlinePolicies'] ?? []).map((p: { policy?: unknown }) => p.policy).filter(Boolean)
  return []
}

export const RESOURCE_RULES: ResourceRule[] = [
  {
    name: 's3-public-access-block',
    description: 'A bucket public access block turns on all four settings.',
    types: [T.publicAccessBlock],
    validateResource: r => ['blockPublicAcls', 'blockPublicPolicy', 'ignorePublicAcls', 'restrictPublicBuckets']
      .filter(flag => r.inputs[flag] !== true).map(flag => `${flag} must be true`)
  },
  {
    name: 's3-deny-insecure-transport',
    description: 'A bucket policy denies every S3 action on the bucket and its objects when aws:SecureTransport is false.',
    types: [T.bucketPolicy],
    validateResource: r => statementsOf(r.inputs['policy']).some(deniesInsecureTransport) ? [] : ['no statement denies s3:* over non-TLS on the bucket and bucket/*']
  },
  {
    name: 'encryption-at-rest',
    description: 'Tables, queues and topics are encrypted at rest; bucket encryption uses AES256 or KMS.',
    types: [T.table, T.queue, T.topic, T.bucketEncryption],
    validateResource: r => {
      switch (r.type) {
        case T.table: return r.inputs['serverSideEncryption']?.enabled === true ? [] : ['serverSideEncryption.enabled must be true']
        case T.queue: return r.inputs['sqsManagedSseEnabled'] === true || r.inputs['kmsMasterKeyId'] ? [] : ['set sqsManagedSseEnabled or kmsMasterKeyId']
        case T.topic: return r.inputs['kmsMasterKeyId'] ? [] : ['kmsMasterKeyId must be set']
        default: return (r.inputs['rules'] ?? []).some((rule: any) => ['AES256', 'aws:kms', 'aws:kms:dsse'].includes(rule.applyServerSideEncryptionByDefault?.sseAlgorithm))
          ? []
          : ['no rule applies AES256 or aws:kms by default']
      }
    }
  },
  {
    name: 'iam-no-star',
    description: 'No policy statement has "*" as an action or a resource.',
    types: [T.rolePolicy, T.policy, T.role, T.bucketPolicy],
    validateResource: r => policiesOf(r).flatMap(statementsOf).flatMap(s => [
      ...(s.Action.includes('*') ? [`statement ${s.Sid ?? '?'} allows Action "*"`] : []),
      ...(s.Resource.includes('*') ? [`statement ${s.Sid ?? '?'} has Resource "*"`] : [])
    ])
  },
  {
    name: 'iam-no-wildcard-actions',
    description: 'Allow statements list actions one by one: no "s3:*" or "s3:Get*".',
    types: [T.rolePolicy, T.policy, T.role, T.bucketPolicy],
    validateResource: r => policiesOf(r).flatMap(statementsOf).filter(s => s.Effect === 'Allow')
      .flatMap(s => s.Action.filter(a => a.includes('*')).map(a => `statement ${s.Sid ?? '?'} allows wildcard action ${a}`))
  },
  {
    name: 'lambda-supported-runtime',
    description: `Lambda functions run on ${SUPPORTED_RUNTIMES.join(' or ')}.`,
    types: [T.lambda],
    validateResource: r => SUPPORTED_RUNTIMES.includes(r.inputs['runtime']) ? [] : [`runtime ${r.inputs['runtime']} is not one of ${SUPPORTED_RUNTIMES.join(', ')}`]
  },
  {
    name: 'lambda-permission-scoped',
    description: 'Only AWS service principals may invoke a function, each limited to a source ARN (S3 also to the account).',
    types: [T.permission],
    validateResource: r => {
      const principal = String(r.inputs['principal'] ?? '')
      const problems: string[] = []
      if (!/^[a-z0-9-]+(\.[a-z0-9-]+)*\.amazonaws\.com$/.test(principal)) problems.push(`principal ${principal} is not an AWS service`)
      if (!r.inputs['sourceArn']) problems.push('sourceArn must be set')
      if (principal === 's3.amazonaws.com' && !r.inputs['sourceAccount']) problems.push('sourceAccount must be set (bucket ARNs carry no account)')
      return problems
    }
  },
  {
    name: 'dynamodb-point-in-time-recovery',
    description: 'DynamoDB tables keep point-in-time recovery on.',
    types: [T.table],
    validateResource: r => r.inputs['pointInTimeRecovery']?.enabled === true ? [] : ['pointInTimeRecovery.enabled must be true']
  },
  {
    name: 'api-stage-access-logging',
    description: 'API Gateway stages write access logs.',
    types: [T.stage],
    validateResource: r => r.inputs['accessLogSettings']?.destinationArn && r.inputs['accessLogSettings']?.format ? [] : ['accessLogSettings needs destinationArn and format']
  },
  {
    name: 'log-group-retention',
    description: 'Every log group expires its events.',
    types: [T.logGroup],
    validateResource: r => Number(r.inputs['retentionInDays']) > 0 ? [] : ['retentionInDays must be set']
  },
  {
    name: 'kms-key-rotation',
    description: 'Customer managed keys rotate.',
    types: [T.kmsKey],
    validateResource: r => r.inputs['enableKeyRotation'] === true ? [] : ['enableKeyRotation must be true']
  },
  ...FSBP_RESOURCE_RULES()
]

function deniesInsecureTransport (s: Statement): boolean {
  return s.Effect === 'Deny' &&
    s.Action.includes('s3:*') &&
    String(s.Condition?.Bool?.['aws:SecureTransport']) === 'false' &&
    s.Resource.some(arn => !arn.includes('/')) && s.Resource.some(arn => arn.endsWith('/*'))
}

const bucketsOf = (resources: PolicyResource[]) => resources.filter(r => r.type === T.bucket || r.type === T.bucketV2)
const bucketIdOf = (bucket: PolicyResource): string | undefined => bucket.id ?? bucket.inputs['bucket']

/**
 * Rules added for AWS Foundational Security Best Practices controls the rules above leave open
 * (infra/fsbp.ts maps every control to its rules). A hoisted function declaration, so these can
 * sit below the list that includes them.
 */
function FSBP_RESOURCE_RULES (): ResourceRule[] {
  return [
    {
      name: 's3-acls-disabled',
      description: 'Bucket ownership is BucketOwnerEnforced: ACLs are off, the bucket policy alone grants access.',
      types: [T.ownershipControls],
      validateResource: r => r.inputs['rule']?.objectOwnership === 'BucketOwnerEnforced' ? [] : ['rule.objectOwnership must be BucketOwnerEnforced']
    },
    {
      name: 's3-abort-incomplete-uploads',
      description: 'A lifecycle rule aborts multipart uploads left unfinished (an upload cut while S3 was unreachable could not abort its own) within a week.',
      types: [T.lifecycle],
      validateResource: r => (r.inputs['rules'] ?? []).some((rule: any) => rule.status === 'Enabled' &&
        rule.abortIncompleteMultipartUpload?.daysAfterInitiation >= 1 && rule.abortIncompleteMultipartUpload?.daysAfterInitiation <= 7)
        ? []
        : ['no enabled rule aborts incomplete multipart uploads within 1 to 7 days']
    },
    {
      name: 's3-policy-no-public-allow',
      description: 'A bucket policy allows nothing to everyone: no Allow statement names the principal "*".',
      types: [T.bucketPolicy],
      validateResource: r => statementsOf(r.inputs['policy']).filter(s => s.Effect === 'Allow' && JSON.stringify(s.Principal ?? null).includes('"*"'))
        .map(s => `statement ${s.Sid ?? '?'} allows the principal "*"`)
    },
    {
      name: 'dynamodb-deletion-protection',
      description: 'DynamoDB tables cannot be deleted while deletion protection is on.',
      types: [T.table],
      validateResource: r => r.inputs['deletionProtectionEnabled'] === true ? [] : ['deletionProtectionEnabled must be true']
    },
    {
      name: 'dynamodb-capacity-scales',
      description: 'DynamoDB tables bill per request, so capacity follows demand (no fixed throughput to run out of).',
      types: [T.table],
      validateResource: r => r.inputs['billingMode'] === 'PAY_PER_REQUEST' ? [] : [`billingMode ${r.inputs['billingMode']} is not PAY_PER_REQUEST`]
    }
  ]
}

export const STACK_RULES: StackRule[] = [
  {
    name: 's3-bucket-protected',
    description: 'Every bucket has a public access block, an encryption configuration and a policy.',
    validateStack: resources => bucketsOf(resources).flatMap(bucket => {
      const id = bucketIdOf(bucket)
      const has = (type: string) => resources.some(r => r.type === type && id !== undefined && r.inputs['bucket'] === id)
      return [
        ...(has(T.publicAccessBlock) ? [] : [`bucket ${bucket.name} has no public access block`]),
        ...(has(T.bucketEncryption) ? [] : [`bucket ${bucket.name} has no server-side encryption configuration`]),
        ...(has(T.bucketPolicy) ? [] : [`bucket ${bucket.name} has no bucket policy (TLS only)`])
      ]
    })
  },
  {
    name: 's3-bucket-acls-off-and-lifecycle',
    description: 'Every bucket has ownership controls (ACLs off) and a lifecycle configuration.',
    validateStack: resources => bucketsOf(resources).flatMap(bucket => {
      const id = bucketIdOf(bucket)
      const has = (type: string) => resources.some(r => r.type === type && id !== undefined && r.inputs['bucket'] === id)
      return [
        ...(has(T.ownershipControls) ? [] : [`bucket ${bucket.name} has no ownership controls`]),
        ...(has(T.lifecycle) ? [] : [`bucket ${bucket.name} has no lifecycle configuration`])
      ]
    })
  },
  {
    name: 'lambda-log-group-managed',
    description: 'Every function logs to a log group the stack creates (so it has retention).',
    validateStack: resources => resources.filter(r => r.type === T.lambda).flatMap(fn => {
      const group = fn.inputs['loggingConfig']?.logGroup ?? `/aws/lambda/${fn.inputs['name']}`
      return resources.some(r => r.type === T.logGroup && r.inputs['name'] === group) ? [] : [`function ${fn.name} logs to ${group}, which the stack does not create`]
    })
  }
]

export function checkResource (resource: PolicyResource): Violation[] {
  return RESOURCE_RULES.filter(rule => rule.types.includes(resource.type))
    .flatMap(rule => rule.validateResource(resource).map(message => ({ rule: rule.name, resource: resource.name, message })))
}

export function checkStack (resources: PolicyResource[]): Violation[] {
  return [
    ...resources.flatMap(checkResource),
    ...STACK_RULES.flatMap(rule => rule.validateStack(resources).map(message => ({ rule: rule.name, resource: '(stack)', message })))
  ]
}
