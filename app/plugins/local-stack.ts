import { mkdir, rm } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import S3rver from 's3rver'
import dynalite from 'dynalite'
import { DUMMY_ACCOUNT } from 's3rver/lib/models/account.js'
import { installS3rverPaging } from './s3rver-paging.js'
import { installLocalS3Guard, localS3Guard } from './local-s3-guard.js'
import { guardDynalite } from './local-dynamodb-guard.js'

/** Credentials both embedded servers accept, so any AWS client (the AWS CLI too) can look inside. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' }
const HOST = '127.0.0.1'

export interface LocalStackOptions {
  dataDir: string
  s3Port?: number
  dynamoPort?: number
}

export interface LocalStack {
  endpoints: { s3: string, dynamodb: string }
  credentials: typeof LOCAL_CREDENTIALS
  /** The S3 stand-in, whose 'event' emitter carries S3 event notifications. */
  s3rver: S3rver
  close: () => Promise<void>
}

/**
 * The embedded stack for `node app` with no AWS configuration: s3rver (S3) and dynalite
 * (DynamoDB), pure JavaScript, on loopback only, with their data on disk under dataDir so
 * uploads survive a restart. Both sit behind guards that check what AWS checks for this app's
 * flows (signatures with the local key, presigned URL expiry, POST policies, no CORS on
 * DynamoDB): neither stand-in does it itself.
 */
export async function startLocalStack (options: LocalStackOptions): Promise<LocalStack> {
  const dataDir = resolve(options.dataDir)
  const s3Dir = join(dataDir, 's3')
  const dynamoDir = join(dataDir, 'dynamodb')
  const spoolDir = join(dataDir, 'incoming-forms')
  await mkdir(s3Dir, { recursive: true })
  await mkdir(dynamoDir, { recursive: true })
  // Form uploads a crash left half spooled.
  await rm(spoolDir, { recursive: true, force: true })
  await mkdir(spoolDir, { recursive: true })

  DUMMY_ACCOUNT.createKeyPair(LOCAL_CREDENTIALS.accessKeyId, LOCAL_CREDENTIALS.secretAccessKey)
  installS3rverPaging()
  const s3rver = new S3rver({ address: HOST, port: options.s3Port ?? 0, silent: true, directory: s3Dir })
  installLocalS3Guard(s3rver, localS3Guard(LOCAL_CREDENTIALS, spoolDir))
  const s3Address = await s3rver.run()

  const dynamo: Server = dynalite({ path: dynamoDir, createTableMs: 0 })
  guardDynalite(dynamo, LOCAL_CREDENTIALS)
  try {
    await new Promise<void>((resolve, reject) => {
      dynamo.once('error', reject)
      dynamo.listen(options.dynamoPort ?? 0, HOST, () => resolve())
    })
  } catch (err) {
    await s3rver.close()
    throw err
  }
  const dynamoPort = (dynamo.address() as AddressInfo).port

  return {
    endpoints: {
      s3: `http://${HOST}:${s3Address.port}`,
      dynamodb: `http://${HOST}:${dynamoPort}`
    },
    credentials: LOCAL_CREDENTIALS,
    s3rver,
    async close () {
      await s3rver.close()
      await new Promise<void>(resolve => dynamo.close(() => resolve()))
    }
  }
}
