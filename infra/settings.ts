// Stack configuration, read once: every component receives plain values, never a Config.
// Pulumi.yaml declares the same keys with the same defaults (test/infra checks they agree).
import { dirname, isAbsolute, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as pulumi from '@pulumi/pulumi'

export const DEFAULTS = {
  useExistingZone: false,
  zoneDelegated: false,
  logRetentionDays: 30,
  buildDir: 'dist',
  apiArchitecture: 'arm64',
  processorArchitecture: 'arm64',
  apiMemoryMb: 1024,
  apiTimeoutSeconds: 29,
  maxUploadBytes: 4 * 1024 * 1024,
  logLevel: 'info',
  throttleBurstLimit: 50,
  throttleRateLimit: 100,
  disableExecuteApiEndpoint: false,
  reconcileSchedule: 'rate(1 day)',
  deletionProtection: true
} as const

// The values CloudWatch Logs accepts for a retention period.
export const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]
export const ARCHITECTURES = ['arm64', 'x86_64'] as const
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

/**
 * How the hosted zone is found: created by this stack, or looked up by id or by name. A zone the
 * stack creates answers nobody until its parent zone delegates to it (`delegated`, the
 * zoneDelegated setting, says the user has done that); a zone looked up is taken to be live.
 */
export type ZoneSource = { create: string, delegated: boolean } | { lookupId: string } | { lookupName: string }

/**
 * Lambda's synchronous invocation payload limit. API Gateway hands the function the whole request
 * as one JSON event with the body base64-encoded (4 bytes for every 3).
 */
export const LAMBDA_PAYLOAD_BYTES = 6_291_456
/**
 * The event around the body: an HTTP API takes up to 10 KiB of request line and headers, and the
 * payload 2.0 event repeats some of them (cookies, path, user agent) and escapes them as JSON.
 */
export const EVENT_FRAMING_BYTES = 32 * 1024
/** One file's multipart framing: boundary lines, Content-Disposition with its file name, Content-Type. */
export const PART_FRAMING_BYTES = 1024
/** The largest multipart request body (all files and fields) that fits in one Lambda event. */
export const MAX_REQUEST_BODY_BYTES = Math.floor((LAMBDA_PAYLOAD_BYTES - EVENT_FRAMING_BYTES) / 4) * 3
/**
 * The largest maxUploadBytes (MAX_UPLOAD_BYTES, per file) a one-file upload can use: its framing
 * and one byte more than the limit must still reach the app, which answers that with its own 413.
 */
export const MAX_UPLOAD_BYTES_LIMIT = MAX_REQUEST_BODY_BYTES - PART_FRAMING_BYTES - 1

/** Names AWS knows the stack's resources by, where they are fixed rather than auto-named. */
export interface PhysicalNames {
  apiFunction: string
  processorFunction: string
  reconcileFunction: string
  /** Default table name (tableName overrides it). */
  table: string
  alarmKeyAlias: string
}

/** Lambda's longest function name; the other fixed names allow far more. */
const LAMBDA_NAME_MAX = 64

/**
 * `<project>-<stack>-<name>`, so two stacks (prod and staging, say) share an account and region
 * without taking each other's functions, log groups, table or key alias. The seed's names stay
 * as the last part. Characters a function name cannot hold (a stack name may have dots) become '-'.
 */
export function physicalNames (project: string, stack: string): PhysicalNames {
  const prefix = `${project}-${stack}`.replace(/[^A-Za-z0-9_-]/g, '-')
  const names = {
    apiFunction: `${prefix}-upload_image`,
    processorFunction: `${prefix}-process_image`,
    reconcileFunction: `${prefix}-reconcile_images`,
    table: `${prefix}-ImageMetadata`,
    alarmKeyAlias: `alias/${prefix}-alarms`
  }
  const over = names.reconcileFunction.length - LAMBDA_NAME_MAX
  if (over > 0) {
    throw new pulumi.RunError(`stack name ${stack} is too long: the function names (${names.reconcileFunction}) must fit Lambda's ${LAMBDA_NAME_MAX} characters; use a stack name of at most ${stack.length - over} characters`)
  }
  return names
}

export interface Settings {
  /** Host name the service answers on, e.g. upload.mennaimages.com. */
  domain: string
  /** https://<domain>: the app's PUBLIC_URL and the one origin CORS allows by default. */
  origin: string
  zone: ZoneSource
  names: PhysicalNames
  tableName: string
  /** Physical bucket name; undefined lets Pulumi add a random suffix. */
  bucketName?: string
  logRetentionDays: number
  /** Absolute folder holding lambda/, processor/ and reconcile/ (npm run build). */
  buildDir: string
  api: {
    architecture: typeof ARCHITECTURES[number]
    memoryMb: number
    timeoutSeconds: number
    reservedConcurrency?: number
    maxUploadBytes: number
    logLevel: string
    throttleBurstLimit: number
    throttleRateLimit: number
    /** Origins (scheme://host[:port]) whose pages may call the API from a browser. */
    corsOrigins: string[]
    disableExecuteApiEndpoint: boolean
  }
  /** process_image's architecture; npm run build makes its archive for both. */
  processorArchitecture: typeof ARCHITECTURES[number]
  reconcileSchedule: string
  alarmEmail?: string
  /** The app's ADMIN_API_KEY, a Pulumi secret (encrypted in the stack's config and state). */
  adminApiKey?: pulumi.Output<string>
  deletionProtection: boolean
}

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')

export function readSettings (config: pulumi.Config = new pulumi.Config(), stack = { project: pulumi.getProject(), stack: pulumi.getStack() }): Settings {
  const domain = config.require('domain', { pattern: /^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/ })
  const zoneId = config.get('zoneId')
  const useExistingZone = config.getBoolean('useExistingZone') ?? DEFAULTS.useExistingZone
  // A zone the stack creates is the domain's own (upload.mennaimages.com), delegated from its
  // parent; an existing zone is usually the registered domain's (mennaimages.com).
  const zoneName = config.get('zone') ?? (useExistingZone ? domain.slice(domain.indexOf('.') + 1) : domain)
  if (domain !== zoneName && !domain.endsWith(`.${zoneName}`)) {
    throw new pulumi.RunError(`domain ${domain} is not inside zone ${zoneName}`)
  }
  const zone: ZoneSource = zoneId !== undefined
    ? { lookupId: zoneId }
    : useExistingZone ? { lookupName: zoneName } : { create: zoneName, delegated: config.getBoolean('zoneDelegated') ?? DEFAULTS.zoneDelegated }
  const names = physicalNames(stack.project, stack.stack)

  const logRetentionDays = config.getNumber('logRetentionDays') ?? DEFAULTS.logRetentionDays
  if (!RETENTION_DAYS.includes(logRetentionDays)) {
    throw new pulumi.RunError(`logRetentionDays must be one of ${RETENTION_DAYS.join(', ')}`)
  }
  const buildDir = config.get('buildDir') ?? DEFAULTS.buildDir
  const origin = `https://${domain}`

  return {
    domain,
    origin,
    zone,
    names,
    tableName: config.get('tableName', { pattern: /^[A-Za-z0-9_.-]{3,255}$/ }) ?? names.table,
    bucketName: readBucketName(config),
    logRetentionDays,
    buildDir: isAbsolute(buildDir) ? buildDir : resolve(PROJECT_ROOT, buildDir),
    api: {
      architecture: config.get('apiArchitecture', { allowedValues: [...ARCHITECTURES] }) ?? DEFAULTS.apiArchitecture,
      memoryMb: config.getNumber('apiMemoryMb', { min: 128, max: 10240 }) ?? DEFAULTS.apiMemoryMb,
      // HTTP APIs give an integration at most 30 s; a longer function would be cut off mid-upload.
      timeoutSeconds: config.getNumber('apiTimeoutSeconds', { min: 1, max: 29 }) ?? DEFAULTS.apiTimeoutSeconds,
      reservedConcurrency: config.getNumber('apiReservedConcurrency', { min: 1 }),
      maxUploadBytes: readMaxUploadBytes(config),
      logLevel: config.get('logLevel', { allowedValues: [...LOG_LEVELS] }) ?? DEFAULTS.logLevel,
      throttleBurstLimit: config.getNumber('throttleBurstLimit', { min: 1 }) ?? DEFAULTS.throttleBurstLimit,
      throttleRateLimit: config.getNumber('throttleRateLimit', { min: 1 }) ?? DEFAULTS.throttleRateLimit,
      corsOrigins: readCorsOrigins(config) ?? [origin],
      disableExecuteApiEndpoint: config.getBoolean('disableExecuteApiEndpoint') ?? DEFAULTS.disableExecuteApiEndpoint
    },
    processorArchitecture: config.get('processorArchitecture', { allowedValues: [...ARCHITECTURES] }) ?? DEFAULTS.processorArchitecture,
    reconcileSchedule: config.get('reconcileSchedule', { pattern: /^(rate|cron)\(.+\)$/ }) ?? DEFAULTS.reconcileSchedule,
    alarmEmail: config.get('alarmEmail', { pattern: /^[^@\s]+@[^@\s]+$/ }),
    // The app's own rule (app/config.ts): 32 to 256 printable ASCII characters.
    adminApiKey: config.getSecret('adminApiKey', { pattern: /^[\x21-\x7e]{32,256}$/ }),
    deletionProtection: config.getBoolean('deletionProtection') ?? DEFAULTS.deletionProtection
  }
}

/**
 * A bucket name with a dot cannot be served over TLS by its own host name
 * (<bucket>.s3.<region>.amazonaws.com does not match S3's wildcard certificate), so the SDK signs
 * its URLs by path (s3.<region>.amazonaws.com/<bucket>) and the pages' Content-Security-Policy,
 * which names the bucket's host, would block direct uploads and image links.
 */
function readBucketName (config: pulumi.Config): string | undefined {
  const name = config.get('bucketName')
  if (name === undefined) return undefined
  if (name.includes('.')) {
    throw new pulumi.RunError(`bucketName ${name} must not contain a dot: S3 serves such a bucket over HTTPS only by path, which the pages' Content-Security-Policy does not allow. Use hyphens, or leave bucketName unset for a generated name.`)
  }
  if (!/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(name)) {
    throw new pulumi.RunError(`bucketName ${name} is not a valid S3 bucket name: 3 to 63 lowercase letters, digits and hyphens, starting and ending with a letter or digit`)
  }
  return name
}

function readMaxUploadBytes (config: pulumi.Config): number {
  const bytes = config.getNumber('maxUploadBytes', { min: 1 }) ?? DEFAULTS.maxUploadBytes
  if (bytes > MAX_UPLOAD_BYTES_LIMIT) {
    throw new pulumi.RunError(`maxUploadBytes must be at most ${MAX_UPLOAD_BYTES_LIMIT}: API Gateway hands Lambda the request as one event of at most ${LAMBDA_PAYLOAD_BYTES.toLocaleString('en-US')} bytes with the body in base64 (4 bytes for 3), and the event and multipart framing take their share. Larger files go straight to S3 (POST /uploads, up to MAX_DIRECT_UPLOAD_BYTES).`)
  }
  return bytes
}

/** A JSON list of bare origins: S3 and API Gateway compare them exactly, so a path or trailing slash would never match. */
function readCorsOrigins (config: pulumi.Config): string[] | undefined {
  const origins = config.getObject<unknown>('corsOrigins')
  if (origins === undefined) return undefined
  if (!Array.isArray(origins) || origins.length === 0) {
    throw new pulumi.RunError('corsOrigins must be a JSON list of origins, e.g. ["https://upload.mennaimages.com"] (pulumi config set --path \'corsOrigins[0]\' https://...)')
  }
  for (const origin of origins) {
    if (typeof origin !== 'string' || !/^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/.test(origin)) {
      throw new pulumi.RunError(`corsOrigins: ${String(origin)} is not an origin: write scheme://host[:port], lowercase, with no path or trailing slash`)
    }
  }
  return origins
}
