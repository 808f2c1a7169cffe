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
 */
export class ImageBucket extends pulumi.ComponentResource {
  readonly bucket: aws.s3.Bucket
  readonly publicAccessBlock: aws.s3.BucketPublicAccessBlock
  readonly ownershipControls: aws.s3.BucketOwnershipControls
  readonly encryption: aws.s3.BucketServerSideEncryptionConfiguration
  readonly policy: aws.s3.BucketPolicy
  readonly lifecycle: aws.s3.BucketLifecycleConfiguration
  readonly cors: aws.s3.BucketCorsConfiguration
  readonly bucketName: pulumi.Output<string>
  readonly arn: pulumi.Output<string>

  constructor (name: string, args: ImageBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super('image-upload:storage:ImageBucket', name, {}, opts)
    const parent = { parent: this }

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
    }, parent)

    this.encryption = new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-encryption`, {
      bucket,
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }]
    }, parent)

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
    // S3 rejects a bucket policy while the public access block is being changed.
    }, { parent: this, dependsOn: [this.publicAccessBlock] })

    this.lifecycle = new aws.s3.BucketLifecycleConfiguration(`${name}-lifecycle`, {
      bucket,
      rules: [{
        id: 'abort-incomplete-multipart-uploads',
        status: 'Enabled',
        filter: {},
        abortIncompleteMultipartUpload: { daysAfterInitiation: args.abortIncompleteUploadsAfterDays ?? 1 }
      }, {
        // The processor moves or deletes a direct upload within seconds of its landing; this
        // catches one whose events all failed (they wait in the dead-letter queue).
        id: 'expire-unchecked-direct-uploads',
        status: 'Enabled',
        filter: { prefix: INCOMING },
        expiration: { days: 1 }
      }]
    }, parent)

    this.cors = new aws.s3.BucketCorsConfiguration(`${name}-cors`, {
      bucket,
      corsRules: [{
        allowedOrigins: args.corsOrigins,
        allowedMethods: ['GET', 'HEAD', 'POST', 'PUT'],
        allowedHeaders: ['*'],
        exposeHeaders: ['ETag'],
        maxAgeSeconds: 3000
      }]
    }, parent)

    this.bucketName = this.bucket.bucket
    this.arn = this.bucket.arn
    this.registerOutputs({ bucketName: this.bucketName, arn: this.arn })
  }
}
