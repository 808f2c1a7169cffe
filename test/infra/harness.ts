// Runs the Pulumi program against mocks and records what it asks AWS for. Each test file is its
// own process, so each can run the program once with its own config (modules are cached).
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as pulumi from '@pulumi/pulumi'
import { parse } from 'yaml'

export const PROJECT = 'image-upload-service'
export const ACCOUNT = '123456789012'
export const REGION = 'us-east-1'
export const EXISTING_ZONE_ID = 'ZEXISTING123'

export interface Recorded {
  type: string
  name: string
  id: string
  custom: boolean
  inputs: Record<string, any>
  state: Record<string, any>
}

export interface Invoke { token: string, inputs: Record<string, any> }

type Program = typeof import('../../infra/index.js')

/** Outputs AWS computes: the mocks invent them from the inputs, as a provider would. */
function computed (type: string, name: string, inputs: Record<string, any>): { id: string, state: Record<string, any> } {
  const service = type.split(':')[1]?.split('/')[0] ?? 'unknown'
  const arn = `arn:aws:${service}:${REGION}:${ACCOUNT}:${name}`
  switch (type) {
    case 'aws:s3/bucket:Bucket': {
      const bucket = inputs.bucket ?? `${name}-a1b2c3d`
      return { id: bucket, state: { bucket, arn: `arn:aws:s3:::${bucket}` } }
    }
    case 'aws:dynamodb/table:Table':
      return { id: inputs.name, state: { arn: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${inputs.name}` } }
    case 'aws:cloudwatch/logGroup:LogGroup':
      return { id: inputs.name, state: { arn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${inputs.name}` } }
    case 'aws:iam/role:Role':
      return { id: name, state: { name, arn: `arn:aws:iam::${ACCOUNT}:role/${name}` } }
    case 'aws:lambda/function:Function': {
      const fnArn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${inputs.name}`
      return { id: inputs.name, state: { arn: fnArn, invokeArn: `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/${fnArn}/invocations` } }
    }
    case 'aws:apigatewayv2/api:Api':
      return { id: 'api0123456', state: { name, apiEndpoint: `https://api0123456.execute-api.${REGION}.amazonaws.com`, executionArn: `arn:aws:execute-api:${REGION}:${ACCOUNT}:api0123456` } }
    case 'aws:apigatewayv2/integration:Integration':
      return { id: 'integ01', state: {} }
    case 'aws:apigatewayv2/stage:Stage':
      return { id: inputs.name, state: {} }
    case 'aws:apigatewayv2/domainName:DomainName':
      return {
        id: inputs.domainName,
        state: { domainNameConfiguration: { ...inputs.domainNameConfiguration, targetDomainName: 'd-abc123.execute-api.us-east-1.amazonaws.com', hostedZoneId: 'ZAPIGATEWAY1' } }
      }
    case 'aws:route53/zone:Zone':
      return { id: 'ZCREATED123', state: { zoneId: 'ZCREATED123', nameServers: ['ns-1.awsdns-01.org', 'ns-2.awsdns-02.com'] } }
    case 'aws:route53/record:Record':
      return { id: `${inputs.zoneId}_${inputs.name}_${inputs.type}`, state: { fqdn: String(inputs.name).replace(/\.$/, '') } }
    case 'aws:acm/certificate:Certificate':
      return {
        id: 'cert-1',
        state: {
          arn: `arn:aws:acm:${REGION}:${ACCOUNT}:certificate/cert-1`,
          domainValidationOptions: [{ domainName: inputs.domainName, resourceRecordName: `_v1.${inputs.domainName}.`, resourceRecordType: 'CNAME', resourceRecordValue: '_v2.acm-validations.aws.' }]
        }
      }
    case 'aws:acm/certificateValidation:CertificateValidation':
      return { id: 'validation-1', state: { certificateArn: inputs.certificateArn } }
    case 'aws:sqs/queue:Queue':
      return { id: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${name}`, state: { name, arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`, url: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${name}` } }
    case 'aws:kms/key:Key':
      return { id: 'key-1', state: { keyId: 'key-1', arn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/key-1` } }
    case 'aws:cloudwatch/eventRule:EventRule':
      return { id: name, state: { name, arn: `arn:aws:events:${REGION}:${ACCOUNT}:rule/${name}` } }
    default:
      return { id: `${name}-id`, state: { arn } }
  }
}

function invoke ({ token, inputs }: Invoke): Record<string, any> {
  switch (token) {
    case 'aws:index/getCallerIdentity:getCallerIdentity':
      return { accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/deployer`, userId: 'AIDEXAMPLE', id: ACCOUNT }
    case 'aws:index/getPartition:getPartition':
      return { partition: 'aws', dnsSuffix: 'amazonaws.com', id: 'aws' }
    case 'aws:route53/getZone:getZone':
      return { id: EXISTING_ZONE_ID, zoneId: EXISTING_ZONE_ID, name: inputs.name ?? 'mennaimages.com', nameServers: ['ns-9.awsdns-09.net'] }
    default:
      throw new Error(`unmocked call ${token}`)
  }
}

/** A build folder with the three index.mjs files the program insists on (never read under mocks). */
export function fakeBuild (): string {
  const dir = mkdtempSync(join(tmpdir(), 'infra-build-'))
  for (const name of ['lambda', 'processor', 'reconcile']) {
    mkdirSync(join(dir, name))
    writeFileSync(join(dir, name, 'index.mjs'), 'export const handler = async () => {}\n')
  }
  return dir
}

export const ROOT = join(import.meta.dirname, '..', '..')

/** The project's own keys from a stack file (Pulumi.prod.yaml), as the strings Pulumi passes. */
export function stackConfig (stack: string): Record<string, string> {
  const { config } = parse(readFileSync(join(ROOT, `Pulumi.${stack}.yaml`), 'utf8')) as { config: Record<string, unknown> }
  return Object.fromEntries(Object.entries(config)
    .filter(([key]) => key.startsWith(`${PROJECT}:`))
    .map(([key, value]) => [key.slice(PROJECT.length + 1), typeof value === 'string' ? value : JSON.stringify(value)]))
}

export async function runProgram (config: Record<string, string>): Promise<{ resources: Recorded[], invokes: Invoke[], program: Program, outputs: Record<string, unknown> }> {
  const resources: Recorded[] = []
  const invokes: Invoke[] = []
  await pulumi.runtime.setMocks({
    newResource: ({ type, name, inputs, custom }) => {
      const { id, state } = computed(type, name, inputs)
      const full = { ...inputs, ...state }
      resources.push({ type, name, id, custom: custom ?? false, inputs, state: full })
      return { id, state: full }
    },
    call: (args) => {
      invokes.push({ token: args.token, inputs: args.inputs })
      return invoke(args)
    }
  }, PROJECT, 'test', false)
  pulumi.runtime.setAllConfig(Object.fromEntries(Object.entries(config).map(([k, v]) => [`${PROJECT}:${k}`, v])))

  const program = await import('../../infra/index.js')
  const names = Object.keys(program) as Array<keyof Program>
  const values = await Promise.all(names.map(name => valueOf(program[name] as pulumi.Output<unknown>)))
  // Resources no export depends on (alarms, alias records) register later; this waits for them.
  await pulumi.runtime.disconnect()
  return { resources, invokes, program, outputs: Object.fromEntries(names.map((n, i) => [n, values[i]])) }
}

export const valueOf = <T>(output: pulumi.Output<T>): Promise<T> => new Promise(resolve => { output.apply(resolve) })

export const ofType = (resources: Recorded[], type: string): Recorded[] => resources.filter(r => r.type === type)

export function one (resources: Recorded[], type: string, name: string): Recorded {
  const found = resources.filter(r => r.type === type && r.name === name)
  if (found.length !== 1) throw new Error(`expected one ${type} named ${name}, found ${found.length}: ${resources.filter(r => r.type === type).map(r => r.name).join(', ')}`)
  return found[0]!
}
