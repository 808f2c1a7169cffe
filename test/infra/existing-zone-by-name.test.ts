// A stack that reuses the hosted zone named by `zone` (e.g. one Route 53 Domains created).
import t from 'tap'
import { EXISTING_ZONE_ID, fakeBuild, ofType, one, runProgram } from './fixtures/harness.js'

const { resources, invokes } = await runProgram({
  domain: 'upload.mennaimages.com',
  useExistingZone: 'true',
  apiArchitecture: 'x86_64',
  // Another site's pages call the API; the service's own pages are same-origin to it.
  corsOrigins: JSON.stringify(['https://admin.mennaimages.com']),
  buildDir: fakeBuild()
})

t.test('the zone is looked up by its name (derived from the domain), public only', async t => {
  t.equal(ofType(resources, 'aws:route53/zone:Zone').length, 0)
  t.same(invokes.filter(i => i.token === 'aws:route53/getZone:getZone').map(i => i.inputs), [{ name: 'mennaimages.com', privateZone: false }])
  t.equal(one(resources, 'aws:route53/record:Record', 'domain-alias-a').inputs['zoneId'], EXISTING_ZONE_ID)
  t.equal(one(resources, 'aws:route53/record:Record', 'domain-validation-0').inputs['zoneId'], EXISTING_ZONE_ID)
})

t.test('the API function architecture follows apiArchitecture alone; the processor keeps its own (processorArchitecture, arm64)', async t => {
  t.same(one(resources, 'aws:lambda/function:Function', 'upload-function').inputs['architectures'], ['x86_64'])
  t.same(one(resources, 'aws:lambda/function:Function', 'processor-handler-function').inputs['architectures'], ['arm64'])
})

t.test('bucket CORS: the configured origins plus the service origin, whose pages POST large files to S3', async t => {
  const [cors] = ofType(resources, 'aws:s3/bucketCorsConfiguration:BucketCorsConfiguration')
  t.same(cors!.inputs['corsRules'][0].allowedOrigins, ['https://upload.mennaimages.com', 'https://admin.mennaimages.com'])
  t.same(one(resources, 'aws:apigatewayv2/api:Api', 'http-api').inputs['corsConfiguration'].allowOrigins, ['https://admin.mennaimages.com'], 'the API allows what is configured')
  // The execute-api URL is for checking the API (curl), not for pages: the app's PUBLIC_URL sends
  // its redirects to the custom domain, so no browser page is served from it and S3 need not trust it.
  t.notOk(JSON.stringify(cors!.inputs).includes('execute-api'))
})
