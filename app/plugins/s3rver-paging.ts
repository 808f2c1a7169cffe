import { createRequire } from 'node:module'

/*
 * s3rver 3.7.1 seals its ListObjectsV2 continuation token with single DES, which OpenSSL 3
 * (every Node since 17) only offers under --openssl-legacy-provider. Without that flag every
 * truncated ListObjectsV2 page (more keys than MaxKeys, 1,000 at most) answers 500, so no client
 * (the SDK paginator, the AWS CLI) can list past the first page. The token functions are private
 * to s3rver's bucket controller, so this wraps its exported getBucket instead: s3rver's listing
 * runs as if untruncated (it never builds its own token), and the wrapper writes and reads a
 * token of its own. ListObjects (v1) pages by marker and needs no help.
 * Left as it is: s3rver lists in the order of its directory walk, so a key that another key
 * extends with a character below '/' or '.' ('img' and 'img-2') comes out of order and can be
 * skipped across pages. The app's keys (prefix/UUID...) never do that.
 */

interface ListResult { objects: Array<{ key: string }>, isTruncated: boolean }
interface Store { listObjects: (bucket: string, options: unknown) => Promise<ListResult> }
interface BucketContext {
  params: { bucket: string }
  query: Record<string, string | string[] | undefined>
  querystring: string
  store: Store
  body: { ListBucketResult: Record<string, unknown> }
}
type GetBucket = (ctx: BucketContext) => Promise<void>
type S3ErrorClass = new (code: string, message: string, detail: Record<string, string>) => Error

const require = createRequire(import.meta.url)
const bucketController = require('s3rver/lib/controllers/bucket.js') as { getBucket: GetBucket }
const S3Error = require('s3rver/lib/models/error.js') as S3ErrorClass
const INSTALLED = Symbol.for('image-upload-service.s3rver-paging')

/** Replaces s3rver's ListObjectsV2 continuation tokens (idempotent; affects every s3rver in the process). */
export function installS3rverPaging (): void {
  const original = bucketController.getBucket
  if (INSTALLED in original) return
  const getBucket: GetBucket = async ctx => {
    if (ctx.query['list-type'] !== '2') return original(ctx)
    const token = ctx.query['continuation-token']
    const querystring = ctx.querystring
    if (typeof token === 'string' && token !== '') {
      const { 'continuation-token': _, ...rest } = ctx.query
      ctx.query = { ...rest, 'start-after': decodeToken(token, ctx.params.bucket) }
    }
    const store = ctx.store
    let lastPage: ListResult | undefined
    ctx.store = Object.create(store, {
      listObjects: {
        value: async (bucket: string, options: unknown) => {
          lastPage = await store.listObjects(bucket, options)
          return { ...lastPage, isTruncated: false }
        }
      }
    }) as Store
    try {
      await original(ctx)
    } finally {
      ctx.store = store
      ctx.querystring = querystring
    }
    const result = ctx.body.ListBucketResult
    if (typeof token === 'string' && token !== '') Object.assign(result, { StartAfter: undefined, ContinuationToken: token })
    if (lastPage?.isTruncated) {
      const lastKey = lastPage.objects.at(-1)?.key
      if (lastKey === undefined) throw new Error('s3rver truncated a listing page that holds no object')
      Object.assign(result, { IsTruncated: true, NextContinuationToken: encodeToken(ctx.params.bucket, lastKey) })
    }
  }
  bucketController.getBucket = Object.assign(getBucket, { [INSTALLED]: true })
}

/** Opaque to clients, like S3's: the bucket (so a token is refused elsewhere) and the last key listed. */
function encodeToken (bucket: string, lastKey: string): string {
  return Buffer.from(JSON.stringify([bucket, lastKey])).toString('base64url')
}

function decodeToken (token: string, bucket: string): string {
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'))
  } catch {}
  if (Array.isArray(parsed) && parsed[0] === bucket && typeof parsed[1] === 'string') return parsed[1]
  throw new S3Error('InvalidArgument', 'The continuation token provided is incorrect', { ArgumentName: 'continuation-token' })
}
