// The prod stack as committed: the first deploy on a fresh account. The stack creates the hosted
// zone for upload.mennaimages.com, which nobody resolves until the mennaimages.com zone delegates
// to it. ACM validates through public DNS, so a certificate declared now would keep `pulumi up`
// waiting for a validation that cannot happen; the first deploy declares none and says what to do.
import t from 'tap'
import { DEFAULTS } from '../../infra/settings.js'
import { fakeBuild, one, ofType, runProgram, stackConfig } from './fixtures/harness.js'

const config = stackConfig('prod')
const { resources, outputs } = await runProgram({ ...config, buildDir: fakeBuild() })

t.test('the committed prod stack is the first deploy: the zone is not delegated yet', async t => {
  t.equal(DEFAULTS.zoneDelegated, false)
  t.equal(config['zoneDelegated'] ?? 'false', 'false')
})

t.test('the stack creates a zone for the service\'s own name only, never for mennaimages.com', async t => {
  t.same(ofType(resources, 'aws:route53/zone:Zone').map(z => z.inputs['name']), ['upload.mennaimages.com'])
  const zone = one(resources, 'aws:route53/zone:Zone', 'domain-zone')
  t.same(outputs['nameServers'], zone.state['nameServers'])
  t.equal(outputs['zoneId'], zone.state['zoneId'])
})

t.test('nothing waits on DNS: no certificate, custom domain or record before the delegation', async t => {
  for (const type of ['aws:acm/certificate:Certificate', 'aws:acm/certificateValidation:CertificateValidation', 'aws:apigatewayv2/domainName:DomainName', 'aws:apigatewayv2/apiMapping:ApiMapping', 'aws:route53/record:Record']) {
    t.same(ofType(resources, type).map(r => r.name), [], type)
  }
  t.equal(outputs['customDomainUrl'], undefined, 'no custom domain yet')
  t.match(outputs['apiUrl'], /^https:\/\/.+\.execute-api\./, 'the API answers on its own URL already')
})

t.test('the first deploy ends by saying how to delegate and what to run next', async t => {
  const next = String(outputs['nextStep'])
  t.match(next, /NS record/)
  t.match(next, /upload\.mennaimages\.com/)
  t.match(next, /mennaimages\.com zone/)
  for (const server of one(resources, 'aws:route53/zone:Zone', 'domain-zone').state['nameServers']) t.match(next, server)
  t.match(next, /pulumi config set zoneDelegated true/)
})
