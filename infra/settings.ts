// Stack configuration, read once: every component receives plain values, never a Config.
// Pulumi.yaml declares the same keys with the same defaults (test/infra checks they agree).
import { dirname, isAbsolute, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as pulumi from '@pulumi/pulumi'

export const DEFAULTS = {
  tableName: 'ImageMetadata',
  useExistingZone: false,
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

/** How the hosted zone is found: created by this stack, or looked up by id or by name. */
export type ZoneSource = { create: string } | { lookupId: string } | { lookupName: string }

export interface Settings {
  /** Host name the service answers on, e.g. upload.mennaimages.com. */
  domain: string
  /** https://<domain>: the app's PUBLIC_URL and the one origin CORS allows by default. */
  origin: string
  zone: ZoneSource
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

export function readSettings (config: pulumi.Config = new pulumi.Config()): Settings {
  const domain = config.require('domain', { pattern: /^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/ })
  const zoneName = config.get('zone') ?? domain.slice(domain.indexOf('.') + 1)
  if (domain !== zoneName && !domain.endsWith(`.${zoneName}`)) {
    throw new pulumi.RunError(`domain ${domain} is not inside zone ${zoneName}`)
  }
  const zoneId = config.get('zoneId')
  const useExistingZone = config.getBoolean('useExistingZone') ?? DEFAULTS.useExistingZone
  const zone: ZoneSource = zoneId !== undefined ? { lookupId: zoneId } : useExistingZone ? { lookupName: zoneName } : { create: zoneName }

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
    tableName: config.get('tableName', { pattern: /^[A-Za-z0-9_.-]{3,255}$/ }) ?? DEFAULTS.tableName,
    bucketName: config.get('bucketName', { pattern: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/ }),
    logRetentionDays,
    buildDir: isAbsolute(buildDir) ? buildDir : resolve(PROJECT_ROOT, buildDir),
    api: {
      architecture: config.get('apiArchitecture', { allowedValues: [...ARCHITECTURES] }) ?? DEFAULTS.apiArchitecture,
      memoryMb: config.getNumber('apiMemoryMb', { min: 128, max: 10240 }) ?? DEFAULTS.apiMemoryMb,
      // HTTP APIs give an integration at most 30 s; a longer function would be cut off mid-upload.
      timeoutSeconds: config.getNumber('apiTimeoutSeconds', { min: 1, max: 29 }) ?? DEFAULTS.apiTimeoutSeconds,
      reservedConcurrency: config.getNumber('apiReservedConcurrency', { min: 1 }),
      maxUploadBytes: config.getNumber('maxUploadBytes', { min: 1 }) ?? DEFAULTS.maxUploadBytes,
      logLevel: config.get('logLevel', { allowedValues: [...LOG_LEVELS] }) ?? DEFAULTS.logLevel,
      throttleBurstLimit: config.getNumber('throttleBurstLimit', { min: 1 }) ?? DEFAULTS.throttleBurstLimit,
      throttleRateLimit: config.getNumber('throttleRateLimit', { min: 1 }) ?? DEFAULTS.throttleRateLimit,
      corsOrigins: config.getObject<string[]>('corsOrigins') ?? [origin],
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
