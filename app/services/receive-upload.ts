import type { FastifyBaseLogger } from 'fastify'
import type { MultipartFile, Multipart } from '@fastify/multipart'
import type { S3Client } from '@aws-sdk/client-s3'
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { AppError, errors, requestErrors } from '../lib/errors.js'
import { sanitizeFilename } from '../lib/filename.js'
import { readImageHead } from '../lib/image-head.js'
import type { DimensionWatch } from '../lib/dimension-watch.js'
import { checkStructure, type StructureCheck } from '../lib/image-structure.js'
import { decodeBudgetProblem } from '../lib/decode-budget.js'
import { newDeleteToken } from '../lib/delete-token.js'
import { newImageId, originalKey } from '../lib/keys.js'
import { fromParserError } from '../lib/multipart-errors.js'
import type { Config } from '../config.js'
import { deleteOriginal, storeOriginal } from './originals.js'
import { deleteImageRecord, putImageRecord, type UploadedImage } from './metadata.js'

export interface UploadContext {
  config: Config
  s3: S3Client
  ddb: DynamoDBDocumentClient
  log: FastifyBaseLogger
}

/**
 * Receives every file of one multipart request. A request is all or nothing: objects are
 * stored one after the other, then their items are written; if any file is refused or any
 * write fails, every item and object this request wrote is removed before the error is
 * thrown, so no object is left without its item and no item without its object.
 */
export async function receiveUpload (parts: AsyncIterator<Multipart>, ctx: UploadContext): Promise<UploadedImage[]> {
  const objects: UploadedImage[] = []
  const items: UploadedImage[] = []
  try {
    for (let part = await nextPart(parts, ctx); part; part = await nextPart(parts, ctx)) {
      if (part.type !== 'file') continue
      objects.push(await receiveFile(part, ctx, objects))
    }
    if (objects.length === 0) throw errors.noFile()
    for (const record of objects) {
      // Before the write: a put that timed out may still have been applied, so it is rolled back too.
      items.push(record)
      await putImageRecord(ctx.ddb, ctx.config.table, record)
    }
    return objects
  } catch (err) {
    await rollback(ctx, objects, items)
    throw err
  }
}

async function nextPart (parts: AsyncIterator<Multipart>, ctx: UploadContext): Promise<Multipart | undefined> {
  try {
    const next = await parts.next()
    return next.done ? undefined : next.value
  } catch (err) {
    throw fromParserError(err, ctx.config)
  }
}

/** Streams one file into S3. `pending` receives the record before S3 is touched, for rollback. */
async function receiveFile (part: MultipartFile, ctx: UploadContext, pending: UploadedImage[]): Promise<UploadedImage> {
  const { config } = ctx
  const filename = sanitizeFilename(part.filename)
  const chunks = fileChunks(part, filename, ctx)
  try {
    if (part.fieldname !== 'file') throw requestErrors.unexpectedFileField(part.fieldname as string | undefined)
    const head = await readImageHead(chunks, { filename, allowedTypes: config.allowedTypes, maxPixels: config.maxPixels })
    const structure = checkStructure(head.contentType)
    const fail = (problem: string | undefined): void => {
      if (problem) throw errors.corruptImage(filename, head.contentType, problem)
    }
    fail(structure.push(head.bytes))
    if (head.ended) fail(structure.end())
    const id = newImageId()
    const key = originalKey(id)
    // Registered before the upload starts: a write whose reply is lost is still cleaned up.
    const placeholder = { id, key, bucket: config.bucket } as UploadedImage
    pending.push(placeholder)
    const stored = await storeOriginal(ctx.s3, {
      bucket: config.bucket,
      key,
      contentType: head.contentType,
      head: head.bytes,
      rest: head.ended ? undefined : checkedChunks(chunks, structure, fail, head.late),
      partSize: config.s3PartSize,
      queueSize: config.s3QueueSize
    })
    // A header that came late was checked inside the stream, before its last byte was stored;
    // read it here while the placeholder still has the object rolled back if anything is amiss.
    const { width, height } = head.late ? head.late.end() : head
    // Its real size is known only now: what it may ask its decoder for depends on it.
    const costly = decodeBudgetProblem({ contentType: head.contentType, head: head.bytes, width, height, fileBytes: stored.size })
    if (costly) throw errors.decodeTooCostly(filename, costly)
    pending.pop()
    return {
      id,
      key,
      bucket: config.bucket,
      filename,
      contentType: head.contentType,
      size: stored.size,
      sha256: stored.sha256,
      width,
      height,
      uploadedAt: new Date().toISOString(),
      // The S3 event of this object makes the variants (app/processing).
      status: 'processing',
      deleteToken: newDeleteToken()
    }
  } finally {
    // Stops reading a refused file; busboy then skips to the end of the request.
    await chunks.return(undefined)
  }
}

/**
 * The rest of a file, walked for structure and, when the header probe did not reach them, for
 * its dimensions: a broken or truncated image, or a late header over the pixel limit or missing,
 * fails before its last byte is stored, so the upload is aborted, never completed.
 */
async function * checkedChunks (chunks: AsyncIterator<Buffer>, structure: StructureCheck, fail: (problem: string | undefined) => void, late: DimensionWatch | undefined): AsyncGenerator<Buffer, void> {
  for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
    fail(structure.push(next.value))
    late?.push(next.value)
    yield next.value
  }
  fail(structure.end())
  late?.end()
}

async function * fileChunks (part: MultipartFile, filename: string, ctx: UploadContext): AsyncGenerator<Buffer, void> {
  // The parser would read an over-limit file to its end, discarding it, before the 413: answer
  // as soon as the limit is crossed instead (the rest of the body is drained or the connection
  // closed by plugins/unread-body.ts).
  const tooLarge = (): AppError => errors.fileTooLarge(filename, ctx.config.maxUploadBytes)
  const onLimit = (): void => { part.file.destroy(tooLarge()) }
  part.file.once('limit', onLimit)
  try {
    for await (const chunk of part.file) yield chunk as Buffer
  } catch (err) {
    throw fromParserError(err, ctx.config)
  } finally {
    part.file.removeListener('limit', onLimit)
  }
  if (part.file.truncated) throw tooLarge()
}

async function rollback (ctx: UploadContext, objects: UploadedImage[], items: UploadedImage[]): Promise<void> {
  const { config, log } = ctx
  // Items first: an item must never point at an object that is already gone.
  for (const item of items) {
    try {
      await deleteImageRecord(ctx.ddb, config.table, item.id)
    } catch (err) {
      log.error({ err, imageId: item.id }, 'rollback could not delete an item; reconcile will remove it')
    }
  }
  await Promise.all(objects.map(async (object) => {
    try {
      await deleteOriginal(ctx.s3, config.bucket, object.key)
    } catch (err) {
      log.error({ err, imageId: object.id, key: object.key }, 'rollback could not delete an object; reconcile will remove it')
    }
  }))
}
