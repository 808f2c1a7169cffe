import envSchema from 'env-schema'

/** Image types the service accepts unless ALLOWED_TYPES narrows the list. */
export const DEFAULT_ALLOWED_TYPES = [
  'image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/avif',
  'image/heic', 'image/heif', 'image/tiff', 'image/bmp'
] as const

const MiB = 1024 * 1024

/**
 * MAX_UPLOAD_BYTES when running in Lambda and not set. API Gateway hands Lambda at most 6 MB of
 * event, and a binary body arrives base64-encoded (4/3 larger), so about 4.5 MiB of body can
 * pass; 4 MiB leaves room for the multipart framing and the rest of the event, so a file over
 * the limit still reaches the app and gets its 413 FILE_TOO_LARGE instead of API Gateway's.
 */
export const LAMBDA_MAX_UPLOAD_BYTES = 4 * MiB

/**
 * Every environment variable the service reads. README's configuration table mirrors this
 * schema; keep them in step.
 */
const schema = {
  type: 'object',
  required: [],
  properties: {
    APP_MODE: { type: 'string', enum: ['auto', 'local', 'endpoints', 'aws'], default: 'auto' },
    HOST: { type: 'string', minLength: 1, default: '127.0.0.1' },
    PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 3000 },
    LOG_LEVEL: { type: 'string', enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info' },
    PUBLIC_URL: { type: 'string', pattern: '^(https?://[^\\s/]+)?/?$', default: '' },

    BUCKET_NAME: { type: 'string', pattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$', default: 'image-upload-bucket' },
    TABLE_NAME: { type: 'string', pattern: '^[A-Za-z0-9_.-]{3,255}$', default: 'ImageMetadata' },
    AWS_REGION: { type: 'string', minLength: 1, default: 'us-east-1' },
    AWS_ENDPOINT_URL_S3: { type: 'string', pattern: '^(https?://[^\\s]+)?$', default: '' },
    AWS_ENDPOINT_URL_DYNAMODB: { type: 'string', pattern: '^(https?://[^\\s]+)?$', default: '' },
    AWS_LAMBDA_FUNCTION_NAME: { type: 'string', default: '' },

    DATA_DIR: { type: 'string', minLength: 1, default: './.data' },
    LOCAL_S3_PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 0 },
    LOCAL_DYNAMODB_PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 0 },

    MAX_UPLOAD_BYTES: { type: 'integer', minimum: 1, default: 10 * MiB },
    MAX_FILES: { type: 'integer', minimum: 1, maximum: 100, default: 10 },
    MAX_FIELDS: { type: 'integer', minimum: 0, maximum: 1000, default: 20 },
    MAX_PIXELS: { type: 'integer', minimum: 1, default: 100_000_000 },
    ALLOWED_TYPES: { type: 'string', pattern: '^image/[a-z0-9.+-]+(,image/[a-z0-9.+-]+)*$', default: DEFAULT_ALLOWED_TYPES.join(',') },

    MAX_DIRECT_UPLOAD_BYTES: { type: 'integer', minimum: 1, maximum: 5 * 1024 * MiB, default: 50 * MiB },
    DIRECT_UPLOAD_EXPIRY_SECONDS: { type: 'integer', minimum: 30, maximum: 3600, default: 300 },
    S3_PART_SIZE: { type: 'integer', minimum: 5 * MiB, maximum: 512 * MiB, default: 5 * MiB },
    S3_QUEUE_SIZE: { type: 'integer', minimum: 1, maximum: 16, default: 4 },
    AWS_REQUEST_TIMEOUT_MS: { type: 'integer', minimum: 100, default: 10_000 },
    SHUTDOWN_GRACE_MS: { type: 'integer', minimum: 0, default: 25_000 },

    REQUEST_TIMEOUT_MS: { type: 'integer', minimum: 100, default: 120_000 },
    RATE_LIMIT_MAX: { type: 'integer', minimum: 1, default: 60 },
    RATE_LIMIT_GLOBAL_MAX: { type: 'integer', minimum: 1, default: 600 },
    RATE_LIMIT_WINDOW_MS: { type: 'integer', minimum: 1000, default: 60_000 },
    TRUST_PROXY_HOPS: { type: 'integer', minimum: 0, maximum: 10, default: 0 },
    CORS_ORIGINS: { type: 'string', pattern: '^(https?://[^\\s,/]+(,https?://[^\\s,/]+)*)?$', default: '' },
    RECONCILE_GRACE_MS: { type: 'integer', minimum: 0, default: 3_600_000 },

    PRESIGN_EXPIRY_SECONDS: { type: 'integer', minimum: 10, maximum: 3600, default: 300 },
    // Printable ASCII without spaces, at least 32 characters, or empty for no admin key.
    ADMIN_API_KEY: { type: 'string', pattern: '^([\\x21-\\x7e]{32,256})?$', default: '' },
    PROCESS_ITEM_WAIT_MS: { type: 'integer', minimum: 0, maximum: 60_000, default: 10_000 }
  }
} as const

export type AppMode = 'local' | 'endpoints' | 'aws'

export interface Config {
  /** Where the AWS clients point: the embedded stack, given endpoints, or real AWS. */
  mode: AppMode
  host: string
  port: number
  logLevel: string
  /** Absolute origin used in Location headers when set (e.g. https://upload.example.com). */
  publicUrl: string
  bucket: string
  table: string
  region: string
  endpoints: { s3?: string, dynamodb?: string }
  dataDir: string
  localS3Port: number
  localDynamoPort: number
  maxUploadBytes: number
  maxFiles: number
  maxFields: number
  maxPixels: number
  allowedTypes: string[]
  /** Largest file a browser may send straight to S3 with a presigned POST. */
  maxDirectUploadBytes: number
  directUploadExpirySeconds: number
  s3PartSize: number
  s3QueueSize: number
  awsRequestTimeoutMs: number
  shutdownGraceMs: number
  /** The whole request must arrive within this time (slow clients, slowloris). */
  requestTimeoutMs: number
  /** Per client IP and window: uploads (POST /upload, /uploads) and every other request. */
  rateLimit: { uploadMax: number, globalMax: number, windowMs: number }
  /** Reverse proxies in front of `node app` whose X-Forwarded-For is trusted; 0 in Lambda. */
  trustProxyHops: number
  /** Origins allowed to call the API from a browser; empty means same-origin only. */
  corsOrigins: string[]
  /** Reconcile leaves objects younger than this alone: their upload may still be in flight. */
  reconcileGraceMs: number
  /** Lifetime of the presigned GET URLs the image routes redirect to. */
  presignExpirySeconds: number
  /** Lets a caller delete any image (header x-api-key); unset means only delete tokens work. */
  adminApiKey: string | undefined
  /** How long the processor waits for an image's item after its object's event arrives. */
  processItemWaitMs: number
}

export class ConfigError extends Error {
  override name = 'ConfigError'
}

type RawEnv = Record<string, string | undefined>

interface ParsedEnv {
  APP_MODE: 'auto' | AppMode
  HOST: string
  PORT: number
  LOG_LEVEL: string
  PUBLIC_URL: string
  BUCKET_NAME: string
  TABLE_NAME: string
  AWS_REGION: string
  AWS_ENDPOINT_URL_S3: string
  AWS_ENDPOINT_URL_DYNAMODB: string
  AWS_LAMBDA_FUNCTION_NAME: string
  DATA_DIR: string
  LOCAL_S3_PORT: number
  LOCAL_DYNAMODB_PORT: number
  MAX_UPLOAD_BYTES: number
  MAX_FILES: number
  MAX_FIELDS: number
  MAX_PIXELS: number
  ALLOWED_TYPES: string
  MAX_DIRECT_UPLOAD_BYTES: number
  DIRECT_UPLOAD_EXPIRY_SECONDS: number
  S3_PART_SIZE: number
  S3_QUEUE_SIZE: number
  AWS_REQUEST_TIMEOUT_MS: number
  SHUTDOWN_GRACE_MS: number
  REQUEST_TIMEOUT_MS: number
  RATE_LIMIT_MAX: number
  RATE_LIMIT_GLOBAL_MAX: number
  RATE_LIMIT_WINDOW_MS: number
  TRUST_PROXY_HOPS: number
  CORS_ORIGINS: string
  RECONCILE_GRACE_MS: number
  PRESIGN_EXPIRY_SECONDS: number
  ADMIN_API_KEY: string
  PROCESS_ITEM_WAIT_MS: number
}

/**
 * Validates the environment once. Throws ConfigError naming the offending variable; callers
 * (server, Lambda) let it stop boot.
 */
export function loadConfig (env: RawEnv): Config {
  const data = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''))
  let raw: ParsedEnv
  try {
    raw = envSchema<ParsedEnv>({ schema: structuredClone(schema), data, env: false, dotenv: false })
  } catch (err) {
    throw new ConfigError(`Invalid configuration: ${describeEnvError(err)}`)
  }
  const allowedTypes = raw.ALLOWED_TYPES.split(',')
  const unknown = allowedTypes.filter(t => !(DEFAULT_ALLOWED_TYPES as readonly string[]).includes(t))
  if (unknown.length > 0) {
    throw new ConfigError(`Invalid configuration: ALLOWED_TYPES has unsupported types: ${unknown.join(', ')} (supported: ${DEFAULT_ALLOWED_TYPES.join(', ')})`)
  }
  return {
    mode: resolveMode(raw),
    host: raw.HOST,
    port: raw.PORT,
    logLevel: raw.LOG_LEVEL,
    publicUrl: raw.PUBLIC_URL.replace(/\/+$/, ''),
    bucket: raw.BUCKET_NAME,
    table: raw.TABLE_NAME,
    region: raw.AWS_REGION,
    endpoints: {
      s3: raw.AWS_ENDPOINT_URL_S3 || undefined,
      dynamodb: raw.AWS_ENDPOINT_URL_DYNAMODB || undefined
    },
    dataDir: raw.DATA_DIR,
    localS3Port: raw.LOCAL_S3_PORT,
    localDynamoPort: raw.LOCAL_DYNAMODB_PORT,
    maxUploadBytes: data['MAX_UPLOAD_BYTES'] === undefined && raw.AWS_LAMBDA_FUNCTION_NAME ? LAMBDA_MAX_UPLOAD_BYTES : raw.MAX_UPLOAD_BYTES,
    maxFiles: raw.MAX_FILES,
    maxFields: raw.MAX_FIELDS,
    maxPixels: raw.MAX_PIXELS,
    allowedTypes,
    maxDirectUploadBytes: raw.MAX_DIRECT_UPLOAD_BYTES,
    directUploadExpirySeconds: raw.DIRECT_UPLOAD_EXPIRY_SECONDS,
    s3PartSize: raw.S3_PART_SIZE,
    s3QueueSize: raw.S3_QUEUE_SIZE,
    awsRequestTimeoutMs: raw.AWS_REQUEST_TIMEOUT_MS,
    shutdownGraceMs: raw.SHUTDOWN_GRACE_MS,
    requestTimeoutMs: raw.REQUEST_TIMEOUT_MS,
    rateLimit: { uploadMax: raw.RATE_LIMIT_MAX, globalMax: raw.RATE_LIMIT_GLOBAL_MAX, windowMs: raw.RATE_LIMIT_WINDOW_MS },
    trustProxyHops: raw.TRUST_PROXY_HOPS,
    corsOrigins: raw.CORS_ORIGINS === '' ? [] : raw.CORS_ORIGINS.split(','),
    reconcileGraceMs: raw.RECONCILE_GRACE_MS,
    presignExpirySeconds: raw.PRESIGN_EXPIRY_SECONDS,
    adminApiKey: raw.ADMIN_API_KEY || undefined,
    processItemWaitMs: raw.PROCESS_ITEM_WAIT_MS
  }
}

function resolveMode (raw: ParsedEnv): AppMode {
  if (raw.APP_MODE !== 'auto') return raw.APP_MODE
  if (raw.AWS_LAMBDA_FUNCTION_NAME) return 'aws'
  if (raw.AWS_ENDPOINT_URL_S3 || raw.AWS_ENDPOINT_URL_DYNAMODB) return 'endpoints'
  return 'local'
}

function describeEnvError (err: unknown): string {
  const errors = (err as { errors?: Array<{ instancePath: string, message?: string, params?: Record<string, unknown> }> }).errors
  if (!Array.isArray(errors) || errors.length === 0) return (err as Error).message
  return errors.map(e => {
    const variable = e.instancePath.replace(/^\//, '') || String(e.params?.['missingProperty'] ?? 'environment')
    const allowed = Array.isArray(e.params?.['allowedValues']) ? ` (${(e.params['allowedValues'] as string[]).join(', ')})` : ''
    return `${variable} ${e.message ?? 'is invalid'}${allowed}`
  }).join('; ')
}
