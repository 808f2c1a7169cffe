import * as aws from '@pulumi/aws'
import * as pulumi from '@pulumi/pulumi'
import { LIST_INDEX } from '../permissions.js'

export interface MetadataTableArgs {
  /** Physical name (the app's TABLE_NAME); the stack derives it from its own name. */
  tableName: string
  /** Refuse DeleteTable (pulumi destroy included) until turned off. Default true. */
  deletionProtection?: boolean
}

/**
 * Image metadata, one item per id. Mirrors app/lib/table.ts: every image item carries
 * kind = "image", so the byUploadedAt index lists all images newest first; pending direct
 * uploads have no kind (they stay out of the listing) and an expiresAt TTL in epoch seconds.
 */
export class MetadataTable extends pulumi.ComponentResource {
  readonly table: aws.dynamodb.Table
  readonly tableName: pulumi.Output<string>
  readonly arn: pulumi.Output<string>

  constructor (name: string, args: MetadataTableArgs, opts?: pulumi.ComponentResourceOptions) {
    super('image-upload:storage:MetadataTable', name, {}, opts)

    this.table = new aws.dynamodb.Table(`${name}-table`, {
      name: args.tableName,
      billingMode: 'PAY_PER_REQUEST',
      hashKey: 'id',
      attributes: [
        { name: 'id', type: 'S' },
        { name: 'kind', type: 'S' },
        { name: 'uploadedAt', type: 'S' }
      ],
      globalSecondaryIndexes: [{
        name: LIST_INDEX,
        keySchemas: [
          { attributeName: 'kind', keyType: 'HASH' },
          { attributeName: 'uploadedAt', keyType: 'RANGE' }
        ],
        projectionType: 'ALL'
      }],
      ttl: { attributeName: 'expiresAt', enabled: true },
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true },
      deletionProtectionEnabled: args.deletionProtection ?? true
    }, { parent: this })

    this.tableName = this.table.name
    this.arn = this.table.arn
    this.registerOutputs({ tableName: this.tableName, arn: this.arn })
  }
}
