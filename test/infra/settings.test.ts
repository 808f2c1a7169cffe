import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as pulumi from '@pulumi/pulumi'
import t from 'tap'
import { parse } from 'yaml'
import { builtCode } from '../../infra/components/function.js'
import { DEFAULTS, readSettings } from '../../infra/settings.js'
import { PROJECT, ROOT, fakeBuild, stackConfig } from './fixtures/harness.js'

const settingsWith = (config: Record<string, string>) => {
  pulumi.runtime.setAllConfig(Object.fromEntries(Object.entries(config).map(([k, v]) => [`${PROJECT}:${k}`, v])))
  return readSettings(new pulumi.Config(PROJECT))
}
const projectFile = parse(readFileSync(join(ROOT, 'Pulumi.yaml'), 'utf8'))
const projectText = readFileSync(join(ROOT, 'Pulumi.yaml'), 'utf8')

t.test('with only a domain, every setting takes its default', async t => {
  const settings = settingsWith({ domain: 'upload.mennaimages.com' })
  t.same(settings.zone, { create: 'mennaimages.com' }, 'the zone is the domain minus its first label')
  t.match(settings, {
    origin: 'https://upload.mennaimages.com',
    tableName: DEFAULTS.tableName,
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
    [{ domain, adminApiKey: `${'k'.repeat(40)} space` }, /adminApiKey/]
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

t.test('the prod stack: us-east-1, upload.mennaimages.com in a zone the stack creates, no alarm e-mail', async t => {
  const file = parse(readFileSync(join(ROOT, 'Pulumi.prod.yaml'), 'utf8'))
  t.equal(file.config['aws:region'], 'us-east-1')
  const settings = settingsWith(stackConfig('prod'))
  t.equal(settings.domain, 'upload.mennaimages.com')
  t.same(settings.zone, { create: 'mennaimages.com' })
  t.equal(settings.alarmEmail, undefined)
  t.equal(settings.logRetentionDays, 30)
})

t.test('a missing build is reported before anything is deployed', async t => {
  const empty = mkdtempSync(join(tmpdir(), 'infra-empty-'))
  t.throws(() => builtCode(empty, 'lambda'), /lambda\.zip does not exist: run npm run build/)
  const built = fakeBuild()
  t.equal(builtCode(built, 'processor-x86_64'), join(built, 'processor-x86_64.zip'))
})
