// A stack that reuses the hosted zone named by `zone` (e.g. one Route 53 Domains created).
import t from 'tap'
import { EXISTING_ZONE_ID, fakeBuild, ofType, one, runProgram } from './fixtures/harness.js'

const { resources, invokes } = await runProgram({
  domain: 'upload.mennaimages.com',
  useExistingZone: 'true',
  apiArchitecture: 'x86_64',
  buildDir: fakeBuild()
})

t.test('the zone is looked up by its name (derived from the domain), public only', async t => {
  t.equal(ofType(resources, 'aws:route53/zone:Zone').length, 0)
  t.same(invokes.filter(i => i.token === 'aws:route53/getZone:getZone').map(i => i.inputs), [{ name: 'mennaimages.com', privateZone: false }])
  t.equal(one(resources, 'aws:route53/record:Record', 'domain-alias-a').inputs['zoneId'], EXISTING_ZONE_ID)
  t.equal(one(resources, 'aws:route53/record:Record', 'domain-validation-0').inputs['zoneId'], EXISTING_ZONE_ID)
})

t.test('the API function architecture follows apiArchitecture; the processor stays x86_64', async t => {
  t.same(one(resources, 'aws:lambda/function:Function', 'upload-function').inputs['architectures'], ['x86_64'])
  t.same(one(resources, 'aws:lambda/function:Function', 'processor-handler-function').inputs['architectures'], ['x86_64'])
})
