import t from 'tap'
import { fakeBuild, one, ofType, runProgram, stackConfig } from './fixtures/harness.js'

// The prod stack's second deploy: the zone it created answers for upload.mennaimages.com now.
const { resources, invokes, outputs } = await runProgram({ ...stackConfig('prod'), zoneDelegated: 'true', buildDir: fakeBuild() })
const api = one(resources, 'aws:apigatewayv2/api:Api', 'http-api')
const fn = one(resources, 'aws:lambda/function:Function', 'upload-function')
const zone = one(resources, 'aws:route53/zone:Zone', 'domain-zone')

t.test('an HTTP API with CORS for the service origin only', async t => {
  t.match(api.inputs, { protocolType: 'HTTP', disableExecuteApiEndpoint: false, ipAddressType: 'dualstack' })
  t.same(api.inputs['corsConfiguration'], {
    allowOrigins: ['https://upload.mennaimages.com'],
    allowMethods: ['GET', 'POST', 'DELETE', 'OPTIONS'],
    allowHeaders: ['content-type', 'authorization', 'x-delete-token', 'x-api-key'],
    maxAge: 3600
  })
})

t.test('every request goes to the upload function through one $default route (Lambda proxy, payload 2.0)', async t => {
  const integration = one(resources, 'aws:apigatewayv2/integration:Integration', 'http-integration')
  t.match(integration.inputs, { apiId: api.id, integrationType: 'AWS_PROXY', payloadFormatVersion: '2.0', integrationUri: fn.state['arn'] })
  const routes = ofType(resources, 'aws:apigatewayv2/route:Route')
  t.equal(routes.length, 1)
  t.match(routes[0]!.inputs, { apiId: api.id, routeKey: '$default', target: `integrations/${integration.id}` })
})

t.test('the $default stage deploys itself, throttles, and writes JSON access logs', async t => {
  const stage = one(resources, 'aws:apigatewayv2/stage:Stage', 'http-stage').inputs
  const accessLogs = one(resources, 'aws:cloudwatch/logGroup:LogGroup', 'http-access-logs')
  t.match(stage, { apiId: api.id, name: '$default', autoDeploy: true, defaultRouteSettings: { throttlingBurstLimit: 50, throttlingRateLimit: 100 } })
  t.equal(stage['accessLogSettings'].destinationArn, accessLogs.state['arn'])
  t.equal(accessLogs.inputs['retentionInDays'], 30)
  const format = JSON.parse(stage['accessLogSettings'].format)
  t.match(format, {
    requestId: '$context.requestId',
    ip: '$context.identity.sourceIp',
    routeKey: '$context.routeKey',
    status: '$context.status',
    responseLength: '$context.responseLength',
    integrationErrorMessage: '$context.integrationErrorMessage'
  })
})

t.test('only this API may invoke the upload function', async t => {
  const permissions = ofType(resources, 'aws:lambda/permission:Permission').filter(p => p.inputs['function'] === fn.inputs['name'])
  t.equal(permissions.length, 1)
  t.match(permissions[0]!.inputs, { action: 'lambda:InvokeFunction', principal: 'apigateway.amazonaws.com', sourceArn: `${api.state['executionArn']}/*/*` })
})

t.test('the stack keeps the zone it created for upload.mennaimages.com when no existing zone is configured', async t => {
  t.equal(zone.inputs['name'], 'upload.mennaimages.com')
  t.same(ofType(resources, 'aws:route53/zone:Zone').map(z => z.name), ['domain-zone'])
  t.equal(invokes.filter(i => i.token === 'aws:route53/getZone:getZone').length, 0)
  t.same(outputs['nameServers'], zone.state['nameServers'])
  t.equal(outputs['zoneId'], zone.state['zoneId'])
})

t.test('the certificate is validated through a DNS record in that zone', async t => {
  const certificate = one(resources, 'aws:acm/certificate:Certificate', 'domain-certificate')
  t.match(certificate.inputs, { domainName: 'upload.mennaimages.com', validationMethod: 'DNS' })
  const [option] = certificate.state['domainValidationOptions']
  const record = one(resources, 'aws:route53/record:Record', 'domain-validation-0')
  t.match(record.inputs, { zoneId: zone.state['zoneId'], name: option.resourceRecordName, type: option.resourceRecordType, allowOverwrite: true })
  t.same(record.inputs['records'], [option.resourceRecordValue])
  const validation = one(resources, 'aws:acm/certificateValidation:CertificateValidation', 'domain-certificate-validation')
  t.same(validation.inputs, { certificateArn: certificate.state['arn'], validationRecordFqdns: [record.state['fqdn']] })
})

t.test('a validation that cannot finish gives up in 30 minutes instead of holding the deploy', async t => {
  const validation = one(resources, 'aws:acm/certificateValidation:CertificateValidation', 'domain-certificate-validation')
  t.equal(validation.options.customTimeouts.create, '30m')
})

t.test('the API domain uses the validated certificate, regional, TLS 1.2, IPv4 and IPv6', async t => {
  const validation = one(resources, 'aws:acm/certificateValidation:CertificateValidation', 'domain-certificate-validation')
  const domain = one(resources, 'aws:apigatewayv2/domainName:DomainName', 'domain-domain')
  t.equal(domain.inputs['domainName'], 'upload.mennaimages.com')
  t.same(domain.inputs['domainNameConfiguration'], {
    certificateArn: validation.state['certificateArn'], endpointType: 'REGIONAL', securityPolicy: 'TLS_1_2', ipAddressType: 'dualstack'
  })
  t.match(one(resources, 'aws:apigatewayv2/apiMapping:ApiMapping', 'domain-mapping').inputs, { apiId: api.id, domainName: domain.id, stage: '$default' })
})

t.test('A and AAAA alias records point the domain at the API domain target', async t => {
  const target = one(resources, 'aws:apigatewayv2/domainName:DomainName', 'domain-domain').state['domainNameConfiguration']
  for (const type of ['A', 'AAAA']) {
    const record = one(resources, 'aws:route53/record:Record', `domain-alias-${type.toLowerCase()}`).inputs
    t.match(record, { zoneId: zone.state['zoneId'], name: 'upload.mennaimages.com', type })
    t.same(record['aliases'], [{ name: target.targetDomainName, zoneId: target.hostedZoneId, evaluateTargetHealth: false }])
  }
})

t.test('stack outputs give both URLs, and no step is left', async t => {
  t.equal(outputs['apiUrl'], api.state['apiEndpoint'])
  t.equal(outputs['customDomainUrl'], 'https://upload.mennaimages.com')
  t.equal(outputs['nextStep'], undefined)
})
