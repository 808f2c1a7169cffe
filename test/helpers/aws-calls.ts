import { join, relative } from 'node:path'
import type { InitializeMiddleware } from '@aws-sdk/types'
import type { AwsClients } from '../../app/plugins/aws-clients.js'

/** One request a function's code made (or signed for a browser to make), as the SDK saw it. */
export interface AwsCall {
  service: 's3' | 'dynamodb'
  /** The API operation: PutObject, UploadPart, GetItem, Query... */
  operation: string
  input: Record<string, unknown>
  /**
   * How the request reaches AWS: sent by the SDK with a signed header, a presigned URL the
   * browser follows (getSignedUrl), or a presigned POST form (createPresignedPost).
   */
  auth: 'header' | 'presigned-url' | 'post-form'
  /** The files under app/ on the call's (async) stack, from the project root; none when recorded by hand. */
  sources: string[]
}

const ROOT = join(import.meta.dirname, '..', '..')

/** app/ files on the current stack, however deep the SDK's middleware chain is. */
function appFilesOnStack (): string[] {
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 100
  const stack = new Error().stack ?? ''
  Error.stackTraceLimit = limit
  const files = [...stack.matchAll(/(?:file:\/\/)?(\/[^\s():]+):\d+:\d+/g)].map(([, path]) => relative(ROOT, path!)).filter(path => path.startsWith('app/'))
  return [...new Set(files)]
}

/**
 * Writes down every command sent through these clients, before it goes out (a request that
 * fails still needed its permission). getSignedUrl runs the client's middleware too and returns
 * the URL instead of sending: such a call is marked presigned. The document client shares its
 * DynamoDB client's stack, where the command names are the low-level ones (PutItemCommand).
 */
export function recordAwsCalls (clients: AwsClients, calls: AwsCall[] = []): AwsCall[] {
  const recorder = (service: AwsCall['service']): InitializeMiddleware<any, any> => (next, context) => async (args) => {
    const { Body, ...input } = args.input as Record<string, unknown>
    const call: AwsCall = { service, operation: String(context.commandName).replace(/Command$/, ''), input, auth: 'header', sources: appFilesOnStack() }
    calls.push(call)
    const result = await next(args)
    if ((result.output as { presigned?: unknown }).presigned) call.auth = 'presigned-url'
    return result
  }
  const options = { step: 'initialize', name: 'recordAwsCalls', priority: 'high' } as const
  clients.s3.middlewareStack.add(recorder('s3'), options)
  clients.ddb.middlewareStack.add(recorder('dynamodb'), options)
  return calls
}

/** The browser's POST a /uploads grant allows: createPresignedPost signs it without the middleware. */
export function presignedPostCall (upload: { url: string, fields: Record<string, string> }): AwsCall {
  const { bucket, key } = upload.fields
  if (!bucket || !key) throw new Error(`a presigned POST without bucket or key: ${JSON.stringify(upload.fields)}`)
  return { service: 's3', operation: 'PostObject', input: { Bucket: bucket, Key: key }, auth: 'post-form', sources: [] }
}
