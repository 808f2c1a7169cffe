import * as aws from '@pulumi/aws'
import * as pulumi from '@pulumi/pulumi'
import { policyDocument } from '../iam.js'
import { INCOMING } from '../permissions.js'

export interface ImageBucketArgs {
  /** Physical name; default: Pulumi's auto-name (`<name>-bucket-<random>`). */
  bucketName?: string
  /** Origins whose pages may send files straight to S3 (presigned POST) and read them back. */
  corsOrigins: string[]
  /** Days before S3 removes the parts of an unfinished multipart upload. Default 1. */
  abortIncompleteUploadsAfterDays?: number
}

/**
 * The private bucket holding originals/, processed/ and incoming/ (direct uploads not yet
 * checked). Nothing in it is public: the app hands
 * out presigned URLs, and the bucket refuses every request that is not over TLS.
 *
 * Its configuration is written one piece after another: S3 answers a configuration write that
 * overlaps another on the same bucket with 409 OperationAborted ("A conflicting conditional
 * operation is currently in progress"). Anything else that configures the bucket (the
 * processor's notification) waits for `configured`, the last of them.
 */
export class ImageBucket extends pulumi.ComponentResource {
  readonly bucket: aws.s3.Bucket
  readonly publicAccessBlock: aws.s3.BucketPublicAccessBlock
  readonly ownershipControls: aws.s3.BucketOwnershipControls
  readonly encryption: aws.s3.BucketServerSideEncryptionConfiguration
  readonly policy: aws.s3.BucketPolicy
  readonly lifecycle: aws.s3.BucketLifecycleConfiguration
  readonly cors: aws.s3.BucketCorsConfiguration
  /** The last configuration write: whatever configures the bucket next depends on it. */
  readonly configured: pulumi.Resource
  readonly bucketName: pulumi.Output<string>
  readonly arn: pulumi.Output<string>

  constructor (name: string, args: ImageBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super('image-upload:storage:ImageBucket', name, {}, opts)
    const parent = { parent: this }
    const after = (previous: pulumi.Resource): pulumi.CustomResourceOptions => ({ parent: this, dependsOn: [previous] })

    this.bucket = new aws.s3.Bucket(`${name}-bucket`, { bucket: args.bucketName }, parent)
    const bucket = this.bucket.id

    this.publicAccessBlock = new aws.s3.BucketPublicAccessBlock(`${name}-public-access-block`, {
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true
    }, parent)

    this.ownershipControls = new aws.s3.BucketOwnershipControls(`${name}-ownership`, {
      bucket,
      rule: { objectOwnership: 'BucketOwnerEnforced' }
    }, after(this.publicAccessBlock))

    this.encryption = new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-encryption`, {
      bucket,
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }]
    }, after(this.ownershipControls))

    this.policy = new aws.s3.BucketPolicy(`${name}-policy`, {
      bucket,
      policy: policyDocument([{
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: ['s3:*'],
        Resource: [this.bucket.arn, pulumi.interpolate`${this.bucket.arn}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } }
      }])
    // After the public access block too: S3 rejects a bucket policy while it is being changed.
    }, after(this.encryption))

    this.lifecycle = new aws.s3.BucketLifecycleConfiguration(`${name}-lifecycle`, {
      bucket,
      rules: [{
        id: 'abort-incomplete-multipart-uploads',
        status: 'Enabled',
        // The whole bucket, said as the empty prefix: for an empty filter {} the provider warns
        // "Invalid Attribute Combination ... will be an error in a future version".
        filter: { prefix: '' },
        abortIncompleteMultipartUpload: { daysAfterInitiation: args.abortIncompleteUploadsAfterDays ?? 1 }
      }, {
        // The processor moves or deletes a direct upload within seconds of its landing; this
        // catches one whose events all failed (they wait in the dead-letter queue).
        id: 'expire-unchecked-direct-uploads',
        status: 'Enabled',
        filter: { prefix: INCOMING },
        expiration: { days: 1 }
      }]
    }, after(this.policy))

    this.cors = new aws.s3.BucketCorsConfiguration(`${name}-cors`, {
      bucket,
      corsRules: [{
        allowedOrigins: args.corsOrigins,
        allowedMethods: ['GET', 'HEAD', 'POST', 'PUT'],
        allowedHeaders: ['*'],
        exposeHeaders: ['ETag'],
        maxAgeSeconds: 3000
      }]
    }, after(this.lifecycle))
    this.configured = this.cors

    this.bucketName = this.bucket.bucket
    this.arn = this.bucket.arn
    this.registerOutputs({ bucketName: this.bucketName, arn: this.arn })
  }
}
