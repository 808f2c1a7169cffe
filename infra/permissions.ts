// What each Lambda function may do, beyond writing its own log streams (ServiceFunction adds
// that). Every statement names its resources; nothing here is granted on "*".
import * as pulumi from '@pulumi/pulumi'
import { objectsUnder, type Statement } from './iam.js'

export const ORIGINALS = 'originals/'
/** Direct uploads land here; the processor moves them to originals/ once checked. */
export const INCOMING = 'incoming/'
export const PROCESSED = 'processed/'
export const LIST_INDEX = 'byUploadedAt'

export interface DataArns {
  bucketArn: pulumi.Input<string>
  tableArn: pulumi.Input<string>
}

const indexArn = (tableArn: pulumi.Input<string>): pulumi.Output<string> =>
  pulumi.interpolate`${tableArn}/index/${LIST_INDEX}`

/** The HTTP app: streams uploads into originals/, grants presigned POSTs, lists and deletes images. */
export const apiStatements = ({ bucketArn, tableArn }: DataArns): Statement[] => [
  {
    Sid: 'Originals',
    Effect: 'Allow',
    // PutObject also covers the multipart calls lib-storage makes (Create/UploadPart/Complete);
    // GetObject covers HeadObject.
    Action: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
    Resource: [objectsUnder(bucketArn, ORIGINALS)]
  },
  {
    // PutObject: the presigned POSTs it signs for direct uploads; DeleteObject: deleting one
    // while it is pending.
    Sid: 'IncomingDirectUploads',
    Effect: 'Allow',
    Action: ['s3:PutObject', 's3:DeleteObject'],
    Resource: [objectsUnder(bucketArn, INCOMING)]
  },
  {
    Sid: 'ProcessedVariants',
    Effect: 'Allow',
    Action: ['s3:GetObject', 's3:DeleteObject'],
    Resource: [objectsUnder(bucketArn, PROCESSED)]
  },
  {
    Sid: 'Metadata',
    Effect: 'Allow',
    Action: ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:DeleteItem', 'dynamodb:UpdateItem'],
    Resource: [tableArn]
  },
  {
    // Listing reads the index only: no Query on the table itself, and never a Scan.
    Sid: 'ListByUploadedAt',
    Effect: 'Allow',
    Action: ['dynamodb:Query'],
    Resource: [indexArn(tableArn)]
  }
]

/**
 * S3 event handler: checks direct uploads and moves them to originals/ (or deletes them), reads
 * an original and writes its variants.
 */
export const processorStatements = ({ bucketArn, tableArn }: DataArns, deadLetterQueueArn: pulumi.Input<string>): Statement[] => [
  {
    // GetObject: the checks' ranged GET and the copy's source; DeleteObject: refused, moved or stray uploads.
    Sid: 'CheckIncomingDirectUploads',
    Effect: 'Allow',
    Action: ['s3:GetObject', 's3:DeleteObject'],
    Resource: [objectsUnder(bucketArn, INCOMING)]
  },
  {
    // PutObject: the copy of an admitted direct upload; DeleteObject: that copy again when the
    // image was deleted meanwhile.
    Sid: 'Originals',
    Effect: 'Allow',
    Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
    Resource: [objectsUnder(bucketArn, ORIGINALS)]
  },
  {
    // DeleteObject: variants it has just written are removed again when the image was deleted
    // while it was processing (app/processing/process-original.ts).
    Sid: 'WriteVariants',
    Effect: 'Allow',
    Action: ['s3:PutObject', 's3:DeleteObject'],
    Resource: [objectsUnder(bucketArn, PROCESSED)]
  },
  {
    // Without s3:ListBucket S3 answers a missing key 403, like a real refusal: listing that one
    // key tells them apart (app/processing/objects.ts), so a refusal fails into the DLQ.
    Sid: 'ListOwnObjects',
    Effect: 'Allow',
    Action: ['s3:ListBucket'],
    Resource: [bucketArn],
    Condition: { StringLike: { 's3:prefix': [`${ORIGINALS}*`, `${INCOMING}*`] } }
  },
  {
    Sid: 'Metadata',
    Effect: 'Allow',
    Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
    Resource: [tableArn]
  },
  {
    // Lambda sends failed asynchronous events to the on-failure destination as this role.
    Sid: 'DeadLetters',
    Effect: 'Allow',
    Action: ['sqs:SendMessage'],
    Resource: [deadLetterQueueArn]
  }
]

/**
 * Daily sweep: removes originals without metadata, metadata without originals, orphaned variants
 * and direct uploads the processor will never move.
 */
export const reconcileStatements = ({ bucketArn, tableArn }: DataArns): Statement[] => [
  {
    // processed/ too: reconcile finds variants whose image has no item by listing them.
    Sid: 'ListImageObjects',
    Effect: 'Allow',
    Action: ['s3:ListBucket'],
    Resource: [bucketArn],
    Condition: { StringLike: { 's3:prefix': [`${ORIGINALS}*`, `${PROCESSED}*`, `${INCOMING}*`] } }
  },
  {
    Sid: 'StrayDirectUploads',
    Effect: 'Allow',
    Action: ['s3:DeleteObject'],
    Resource: [objectsUnder(bucketArn, INCOMING)]
  },
  {
    Sid: 'Originals',
    Effect: 'Allow',
    Action: ['s3:GetObject', 's3:DeleteObject'],
    Resource: [objectsUnder(bucketArn, ORIGINALS)]
  },
  {
    Sid: 'ProcessedVariants',
    Effect: 'Allow',
    Action: ['s3:DeleteObject'],
    Resource: [objectsUnder(bucketArn, PROCESSED)]
  },
  {
    Sid: 'Metadata',
    Effect: 'Allow',
    Action: ['dynamodb:GetItem', 'dynamodb:DeleteItem'],
    Resource: [tableArn]
  },
  {
    Sid: 'ListByUploadedAt',
    Effect: 'Allow',
    Action: ['dynamodb:Query'],
    Resource: [indexArn(tableArn)]
  }
]
