/**
 * The metadata table's shape, shared by local provisioning and the read side. infra/ declares
 * the same shape for AWS (test/infra checks the index name and keys).
 */
export const LIST_INDEX = 'byUploadedAt'
/** Every image item carries this partition value so the index can list all images by time. */
export const IMAGE_KIND = 'image'

export const tableDefinition = (tableName: string) => ({
  TableName: tableName,
  BillingMode: 'PAY_PER_REQUEST' as const,
  AttributeDefinitions: [
    { AttributeName: 'id', AttributeType: 'S' as const },
    { AttributeName: 'kind', AttributeType: 'S' as const },
    { AttributeName: 'uploadedAt', AttributeType: 'S' as const }
  ],
  KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' as const }],
  GlobalSecondaryIndexes: [{
    IndexName: LIST_INDEX,
    KeySchema: [
      { AttributeName: 'kind', KeyType: 'HASH' as const },
      { AttributeName: 'uploadedAt', KeyType: 'RANGE' as const }
    ],
    Projection: { ProjectionType: 'ALL' as const }
  }]
})
