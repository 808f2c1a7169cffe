import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as pulumi from '@pulumi/pulumi'
import t from 'tap'
import { parse } from 'yaml'
import { builtCode } from '../../infra/components/function.js'
import { DEFAULTS, MAX_UPLOAD_BYTES_LIMIT, physicalNames, readSettings } from '../../infra/settings.js'
import { PROJECT, ROOT, fakeBuild, stackConfig } from './fixtures/harness.js'

const settingsWith = (config: Record<string, string>) => {
  pulumi.runtime.setAllConfig(Object.fromEntries(Object.entries(config).map(([k, v]) => [`${PROJECT}:${k}`, v])))
  return readSettings(new pulumi.Config(PROJECT), { project: PROJECT, stack: 'prod' })
}
const projectFile = parse(readFileSync(join(ROOT, 'Pulumi.yaml'), 'utf8'))
const projectText = readFileSync(join(ROOT, 'Pulumi.yaml'), 'utf8')

t.test('with only a domain, every setting takes its default', async t => {
  const settings = settingsWith({ domain: 'upload.mennaimages.com' })
  t.same(settings.zone, { create: 'upload.mennaimages.com', delegated: false }, 'a zone for the service\'s own name, not delegated yet')
  t.match(settings, {
    origin: 'https://upload.mennaimages.com',
    tableName: 'image-upload-service-prod-ImageMetadata',
    logRetentionDays: DEFAULTS.logRetentionDays,
    buildDir: join(ROOT, 'dist'),
    reconcileSchedule: DEFAULTS.reconcileSchedule,
    deletionProtection: true,
    api: { architecture: 'arm64', memoryMb: 1024, timeoutSeconds: 29, maxUploadBytes: 4194304, logLevel: 'info', throttleBurstLimit: 50, throttleRateLimit: 100, disableExecuteApiEndpoint: false }
  })
  t.same(settings.api.corsOrigins, ['https://upload.mennaimages.com'])
  t.equal(settings.bucketName, undefined)
  t.equal(settings.alarmEmail, undefined)
  t.equal(settings.adminApiKey, undefined)
  t.equal(settings.api.reservedConcurrency, undefined)
})

t.test('the admin API key is read as a secret', async t => {
  const key = 'k'.repeat(40)
  const settings = settingsWith({ domain: 'upload.mennaimages.com', adminApiKey: key })
  t.ok(settings.adminApiKey && await pulumi.isSecret(settings.adminApiKey), 'a secret output')
  t.equal(await new Promise(resolve => settings.adminApiKey!.apply(resolve)), key)
})

t.test('a zone id wins over useExistingZone; useExistingZone looks the zone up by name', async t => {
  t.same(settingsWith({ domain: 'upload.mennaimages.com', zoneId: 'Z1', useExistingZone: 'true' }).zone, { lookupId: 'Z1' })
  t.same(settingsWith({ domain: 'upload.mennaimages.com', zone: 'mennaimages.com', useExistingZone: 'true' }).zone, { lookupName: 'mennaimages.com' })
  t.same(settingsWith({ domain: 'upload.mennaimages.com', useExistingZone: 'true' }).zone, { lookupName: 'mennaimages.com' }, 'by default the domain minus its first label')
})

t.test('a zone the stack creates is for the domain itself unless `zone` says otherwise; zoneDelegated marks the second deploy', async t => {
  t.same(settingsWith({ domain: 'upload.mennaimages.com', zoneDelegated: 'true' }).zone, { create: 'upload.mennaimages.com', delegated: true })
  t.same(settingsWith({ domain: 'upload.mennaimages.com', zone: 'mennaimages.com' }).zone, { create: 'mennaimages.com', delegated: false })
})

t.test('the bucket CORS origins: the configured ones, each a bare origin', async t => {
  const origins = ['https://upload.mennaimages.com', 'https://admin.mennaimages.com', 'http://localhost:5173']
  t.same(settingsWith({ domain: 'upload.mennaimages.com', corsOrigins: JSON.stringify(origins) }).api.corsOrigins, origins)
})

t.test('maxUploadBytes is capped by what API Gateway can hand Lambda, and the cap itself is accepted', async t => {
  // 6,291,456 bytes of invoke payload, less 32 KiB for the event around the body, is
  // 1,564,672 base64 quads of 3 bytes; less 1 KiB of multipart framing, less the one byte over
  // the limit that must still reach the app for its 413.
  t.equal(MAX_UPLOAD_BYTES_LIMIT, 4_692_991)
  t.equal(settingsWith({ domain: 'upload.mennaimages.com', maxUploadBytes: String(MAX_UPLOAD_BYTES_LIMIT) }).api.maxUploadBytes, MAX_UPLOAD_BYTES_LIMIT)
  t.throws(() => settingsWith({ domain: 'upload.mennaimages.com', maxUploadBytes: String(MAX_UPLOAD_BYTES_LIMIT + 1) }),
    /maxUploadBytes must be at most 4692991: .*6,291,456.*base64.*POST \/uploads/)
})

t.test('physical names start with <project>-<stack>, so two stacks share an account without colliding', async t => {
  t.same(physicalNames('image-upload-service', 'prod'), {
    apiFunction: 'image-upload-service-prod-upload_image',
    processorFunction: 'image-upload-service-prod-process_image',
    reconcileFunction: 'image-upload-service-prod-reconcile_images',
    table: 'image-upload-service-prod-ImageMetadata',
    alarmKeyAlias: 'alias/image-upload-service-prod-alarms'
  })
  t.equal(physicalNames('image-upload-service', 'team.staging').apiFunction, 'image-upload-service-team-staging-upload_image', 'a dot (not allowed in a function name) becomes a hyphen')
  t.equal(physicalNames('image-upload-service', 's'.repeat(26)).reconcileFunction.length, 64)
  t.throws(() => physicalNames('image-upload-service', 's'.repeat(27)), /stack name s{27} is too long: .*64 characters.*at most 26 characters/)
})

t.test('bad configuration stops the program before any resource is declared', async t => {
  const domain = 'upload.mennaimages.com'
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{}, /domain/],
    [{ domain: 'https://upload.mennaimages.com' }, /domain/],
    [{ domain, zone: 'example.com' }, /not inside zone example\.com/],
    [{ domain, apiTimeoutSeconds: '30' }, /apiTimeoutSeconds/],
    [{ domain, logRetentionDays: '31' }, /logRetentionDays must be one of/],
    [{ domain, apiArchitecture: 'arm' }, /apiArchitecture/],
    [{ domain, logLevel: 'verbose' }, /logLevel/],
    [{ domain, reconcileSchedule: 'daily' }, /reconcileSchedule/],
    [{ domain, tableName: 'x' }, /tableName/],
    [{ domain, alarmEmail: 'ops' }, /alarmEmail/],
    [{ domain, adminApiKey: 'short' }, /adminApiKey/],
    [{ domain, adminApiKey: `${'k'.repeat(40)} space` }, /adminApiKey/],
    [{ domain, bucketName: 'images.mennaimages.com' }, /bucketName images\.mennaimages\.com must not contain a dot: .*path/],
    [{ domain, bucketName: 'Images' }, /bucketName/],
    [{ domain, maxUploadBytes: '10485760' }, /maxUploadBytes must be at most/],
    [{ domain, corsOrigins: JSON.stringify(['https://admin.mennaimages.com/']) }, /corsOrigins: https:\/\/admin\.mennaimages\.com\/ is not an origin/],
    [{ domain, corsOrigins: '"https://admin.mennaimages.com"' }, /corsOrigins must be a JSON list/]
  ]
  for (const [config, message] of cases) t.throws(() => settingsWith(config), message, JSON.stringify(config))
})

t.test('Pulumi.yaml declares every default the program uses, with the same value and a description', async t => {
  const kinds: Record<string, string> = { number: 'integer', boolean: 'boolean', string: 'string' }
  for (const [key, value] of Object.entries(DEFAULTS)) {
    const declared = projectFile.config[key]
    t.ok(declared, `${key} is declared`)
    t.equal(declared?.default, value, `${key} default`)
    t.equal(declared?.type, kinds[typeof value], `${key} type`)
    t.ok(declared?.description, `${key} has a description`)
  }
  t.same(Object.keys(projectFile.config).filter(k => !(k in DEFAULTS)), ['domain'], 'only domain is declared without a default (required)')
})

t.test('every key infra/settings.ts reads is documented in Pulumi.yaml', async t => {
  const source = readFileSync(join(ROOT, 'infra', 'settings.ts'), 'utf8')
  const read = [...source.matchAll(/config\.(?:get|require)\w*(?:<[^>]+>)?\('(\w+)'/g)].map(m => m[1]!)
  t.ok(read.length >= 20, `found ${read.length} keys`)
  for (const key of read) {
    t.ok(key in projectFile.config || new RegExp(`^#\\s+${key}\\s`, 'm').test(projectText), `${key} is documented`)
  }
})

t.test('Pulumi runs infra/index.ts as ESM TypeScript through tsx', async t => {
  t.equal(projectFile.name, PROJECT)
  t.same(projectFile.runtime, { name: 'nodejs', options: { typescript: false, nodeargs: '--import tsx', packagemanager: 'npm' } })
  t.equal(projectFile.main, 'infra/index.ts')
  t.ok(existsSync(join(ROOT, projectFile.main)))
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))
  t.equal(pkg.type, 'module')
  t.ok(pkg.dependencies.tsx ?? pkg.devDependencies.tsx, 'tsx is installed by npm ci')
})

t.test('the prod stack: us-east-1, upload.mennaimages.com in its own zone the stack creates, no alarm e-mail', async t => {
  const file = parse(readFileSync(join(ROOT, 'Pulumi.prod.yaml'), 'utf8'))
  t.equal(file.config['aws:region'], 'us-east-1')
  const settings = settingsWith(stackConfig('prod'))
  t.equal(settings.domain, 'upload.mennaimages.com')
  t.same(settings.zone, { create: 'upload.mennaimages.com', delegated: false })
  t.equal(settings.alarmEmail, undefined)
  t.equal(settings.logRetentionDays, 30)
})

t.test('a missing build is reported before anything is deployed', async t => {
  const empty = mkdtempSync(join(tmpdir(), 'infra-empty-'))
  t.throws(() => builtCode(empty, 'lambda'), /lambda\.zip does not exist: run npm run build/)
  const built = fakeBuild()
  t.equal(builtCode(built, 'processor-x86_64'), join(built, 'processor-x86_64.zip'))
})
