// multer-s3 3.x ships no type declarations; this covers what the bench peer uses.
declare module 'multer-s3' {
  import type { S3Client } from '@aws-sdk/client-s3'
  import type { Request } from 'express'
  import type { StorageEngine } from 'multer'
  type Callback<T> = (error: Error | null, value?: T) => void
  interface Options {
    s3: S3Client
    bucket: string
    key?: (req: Request, file: Express.Multer.File, cb: Callback<string>) => void
    contentType?: (req: Request, file: Express.Multer.File, cb: (error: Error | null, mime?: string, stream?: NodeJS.ReadableStream) => void) => void
  }
  function multerS3 (options: Options): StorageEngine
  namespace multerS3 {
    const AUTO_CONTENT_TYPE: NonNullable<Options['contentType']>
  }
  export default multerS3
}
