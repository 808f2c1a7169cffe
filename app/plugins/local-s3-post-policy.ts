import { createReadStream, createWriteStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import type { IncomingMessage } from 'node:http'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import type { Readable, Writable } from 'node:stream'
import { SignatureRefused, type SigV4Verifier } from './local-sigv4.js'

/*
 * S3's browser-form upload (POST Object) checked the way S3 checks it, which s3rver does not:
 * the policy's signature with the local key, its expiration, and every condition against the
 * fields and the real file size. The body is spooled to a file on disk while it is parsed (never
 * held in memory), and s3rver only gets it once every check has passed: s3rver writes straight
 * onto the object's file, so a refusal after it had started would leave a torn object behind.
 */

type Busboy = Writable & {
  on: ((event: 'field', listener: (name: string, value: string) => void) => Busboy) &
  ((event: 'file', listener: (name: string, file: Readable) => void) => Busboy) &
  ((event: 'finish' | 'error', listener: (err?: Error) => void) => Busboy)
}
// The very parser s3rver uses (same version, same defaults), so both read the same fields.
const BusboyCtor = createRequire(createRequire(import.meta.url).resolve('s3rver'))('busboy') as new (options: { headers: IncomingMessage['headers'] }) => Busboy

export class PolicyRefused extends Error {
  constructor (readonly code: 'AccessDenied' | 'EntityTooLarge' | 'EntityTooSmall' | 'InvalidArgument' | 'InvalidPolicyDocument', message: string) {
    super(message)
  }
}

interface ParsedForm {
  fields: Map<string, string>
  fileSize: number | undefined
  duplicate: string | undefined
  /** The file outgrew what the policy could allow: the spool is incomplete (the body was still read and counted). */
  truncated: boolean
}

/** Fields S3 never asks a condition for. */
const EXEMPT = new Set(['policy', 'x-amz-signature', 'file'])
/** Redirects after upload: an open redirect on the local port, never needed by this app. */
const REFUSED = new Set(['success_action_redirect', 'redirect'])

/**
 * Reads and checks one POST Object body; on success returns a stream of the same bytes for
 * s3rver, and a cleanup for the spooled file. Throws PolicyRefused or SignatureRefused.
 */
export async function admitPostObject (req: IncomingMessage, bucket: string, verifier: SigV4Verifier, spoolDir: string, now = Date.now):
Promise<{ body: Readable, cleanup: () => Promise<void> }> {
  const spoolPath = join(spoolDir, `post-${randomUUID()}`)
  const cleanup = async (): Promise<void> => { await rm(spoolPath, { force: true }) }
  try {
    const form = await spoolAndParse(req, spoolPath)
    await checkForm(form, bucket, verifier, now())
    const body = createReadStream(spoolPath)
    return { body, cleanup }
  } catch (err) {
    await cleanup()
    throw err
  }
}

async function spoolAndParse (req: IncomingMessage, spoolPath: string): Promise<ParsedForm> {
  let busboy: Busboy
  try {
    busboy = new BusboyCtor({ headers: req.headers })
  } catch {
    throw new PolicyRefused('InvalidArgument', 'Bucket POST must be of the enclosure-type multipart/form-data')
  }
  const form: ParsedForm = { fields: new Map(), fileSize: undefined, duplicate: undefined, truncated: false }
  let maxSize = Infinity
  const spool = createWriteStream(spoolPath)
  const take = (name: string, value: string): void => {
    const field = name.toLowerCase()
    if (form.fileSize !== undefined) return // S3 and s3rver ignore what follows the file
    if (form.fields.has(field)) form.duplicate ??= field
    form.fields.set(field, value)
  }
  const stopSpooling = (): void => {
    form.truncated = true
    req.unpipe(spool)
    spool.destroy()
  }
  busboy.on('field', (name, value) => {
    // busboy reports a part with no filename and a non-binary type as a field; s3rver takes it as the file
    if (name === 'file' && form.fileSize === undefined) {
      maxSize = sizeLimit(form.fields.get('policy'))
      form.fileSize = Buffer.byteLength(value)
      if (form.fileSize > maxSize) stopSpooling()
      return
    }
    take(name, value)
  })
  busboy.on('file', (name, file) => {
    if (name !== 'file' || form.fileSize !== undefined) { file.resume(); return }
    maxSize = sizeLimit(form.fields.get('policy'))
    form.fileSize = 0
    file.on('data', (chunk: Buffer) => {
      form.fileSize = (form.fileSize ?? 0) + chunk.length
      if (form.fileSize > maxSize && !form.truncated) stopSpooling()
    })
  })
  const spooled = new Promise<void>((resolve, reject) => {
    spool.on('error', reject)
    spool.on('finish', resolve)
    spool.on('close', resolve)
  })
  const parsed = new Promise<void>((resolve, reject) => {
    busboy.on('error', reject)
    busboy.on('finish', () => resolve())
    req.on('error', reject)
  })
  req.pipe(spool)
  req.pipe(busboy)
  try {
    await parsed
    await spooled
  } catch {
    throw new PolicyRefused('InvalidArgument', 'The body of your POST request is not well-formed multipart/form-data.')
  }
  return form
}

async function checkForm (form: ParsedForm, bucket: string, verifier: SigV4Verifier, now: number): Promise<void> {
  const { fields } = form
  for (const name of REFUSED) {
    if (fields.has(name)) throw new PolicyRefused('InvalidArgument', `${name} is refused by the local stand-in (an open redirect on a local port)`)
  }
  if (form.duplicate !== undefined) throw new PolicyRefused('InvalidArgument', `The field ${form.duplicate} appears more than once`)
  if (form.fileSize === undefined) throw new PolicyRefused('InvalidArgument', 'POST requires exactly one file upload per request.')
  const [policy, algorithm, credential, date, signature] = ['policy', 'x-amz-algorithm', 'x-amz-credential', 'x-amz-date', 'x-amz-signature'].map(name => fields.get(name))
  if (policy === undefined || credential === undefined || date === undefined || signature === undefined) {
    throw new SignatureRefused('missing', 'Bucket POST must contain a policy signed with Signature Version 4')
  }
  if (algorithm !== 'AWS4-HMAC-SHA256') throw new SignatureRefused('malformed', 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"')
  await verifier.verifyPolicy(policy, credential, date, signature)
  const document = readPolicy(policy)
  if (!(Date.parse(document.expiration) > now)) throw new PolicyRefused('AccessDenied', 'Invalid according to Policy: Policy expired.')
  const covered = new Set<string>()
  for (const condition of document.conditions) {
    const failure = checkCondition(condition, fields, bucket, form.fileSize, covered)
    if (failure !== undefined) throw new PolicyRefused('AccessDenied', `Invalid according to Policy: Policy Condition failed: ${failure}`)
  }
  for (const name of fields.keys()) {
    if (!EXEMPT.has(name) && !name.startsWith('x-ignore-') && !covered.has(name)) {
      throw new PolicyRefused('AccessDenied', `Invalid according to Policy: Extra input fields: ${name}`)
    }
  }
  if (form.truncated) throw new PolicyRefused('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size')
}

interface PolicyDocument { expiration: string, conditions: unknown[] }

function readPolicy (policy: string): PolicyDocument {
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(policy, 'base64').toString('utf8'))
  } catch {}
  const doc = parsed as Partial<PolicyDocument> | undefined
  if (typeof doc?.expiration !== 'string' || !Array.isArray(doc.conditions)) {
    throw new PolicyRefused('InvalidPolicyDocument', 'Invalid Policy: Invalid JSON.')
  }
  return doc as PolicyDocument
}

/** Returns why the condition fails, or undefined when it holds (and marks the field covered). */
function checkCondition (condition: unknown, fields: Map<string, string>, bucket: string, fileSize: number, covered: Set<string>): string | undefined {
  const valueOf = (name: string): string | undefined => name === 'bucket' ? bucket : fields.get(name)
  if (Array.isArray(condition)) {
    const [operator, subject, operand] = condition as unknown[]
    if (operator === 'content-length-range' && typeof subject === 'number' && typeof operand === 'number' && condition.length === 3) {
      if (fileSize > operand) throw new PolicyRefused('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size')
      if (fileSize < subject) throw new PolicyRefused('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size')
      return undefined
    }
    if ((operator === 'eq' || operator === 'starts-with') && typeof subject === 'string' && subject.startsWith('$') && typeof operand === 'string' && condition.length === 3) {
      const name = subject.slice(1).toLowerCase()
      const value = valueOf(name) ?? ''
      covered.add(name)
      const holds = operator === 'eq' ? value === operand : value.startsWith(operand)
      return holds ? undefined : JSON.stringify(condition)
    }
    return `unsupported condition ${JSON.stringify(condition)}`
  }
  if (condition !== null && typeof condition === 'object' && Object.keys(condition).length === 1) {
    const [name, expected] = Object.entries(condition)[0] as [string, unknown]
    const field = name.toLowerCase()
    covered.add(field)
    return valueOf(field) === expected ? undefined : JSON.stringify(condition)
  }
  return `unsupported condition ${JSON.stringify(condition)}`
}

/** The largest file the (still unverified) policy allows: only to stop spooling early. */
function sizeLimit (policy: string | undefined): number {
  if (policy === undefined) return 0
  try {
    const doc = readPolicy(policy)
    const ranges = doc.conditions.filter((c): c is [string, number, number] => Array.isArray(c) && c[0] === 'content-length-range' && typeof c[2] === 'number')
    return ranges.length === 0 ? Infinity : Math.min(...ranges.map(range => range[2]))
  } catch {
    return 0
  }
}
