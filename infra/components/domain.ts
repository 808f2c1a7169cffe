import * as aws from '@pulumi/aws'
import * as pulumi from '@pulumi/pulumi'
import type { ZoneSource } from '../settings.js'

export interface ApiDomainArgs {
  /** Host name to serve, e.g. upload.mennaimages.com. */
  domain: string
  /** Create the hosted zone (default for a fresh domain) or look up one that already exists. */
  zone: ZoneSource
  apiId: pulumi.Input<string>
  stageName: pulumi.Input<string>
}

/**
 * The API's own domain: hosted zone, a DNS-validated ACM certificate in the API's region (a
 * regional endpoint needs it there), the API Gateway domain name and A/AAAA alias records.
 */
export class ApiDomain extends pulumi.ComponentResource {
  readonly zoneId: pulumi.Output<string>
  readonly nameServers: pulumi.Output<string[]>
  readonly domainName: aws.apigatewayv2.DomainName
  readonly mapping: aws.apigatewayv2.ApiMapping
  readonly aliasRecords: aws.route53.Record[]
  readonly url: pulumi.Output<string>

  constructor (name: string, args: ApiDomainArgs, opts?: pulumi.ComponentResourceOptions) {
    super('image-upload:dns:ApiDomain', name, {}, opts)
    const parent = { parent: this }

    if ('create' in args.zone) {
      const zone = new aws.route53.Zone(`${name}-zone`, { name: args.zone.create, comment: 'Image upload service' }, parent)
      this.zoneId = zone.zoneId
      this.nameServers = zone.nameServers
    } else {
      const found = aws.route53.getZoneOutput('lookupId' in args.zone
        ? { zoneId: args.zone.lookupId }
        : { name: args.zone.lookupName, privateZone: false }, parent)
      this.zoneId = found.zoneId
      this.nameServers = found.nameServers
    }

    const certificate = new aws.acm.Certificate(`${name}-certificate`, {
      domainName: args.domain,
      validationMethod: 'DNS'
    }, parent)

    // One record per name on the certificate (only the domain itself today).
    const validationRecords = [args.domain].map((host, i) => {
      const option = certificate.domainValidationOptions.apply(options => {
        const match = options.find(o => o.domainName === host)
        if (match === undefined) throw new Error(`ACM returned no validation record for ${host}`)
        return match
      })
      return new aws.route53.Record(`${name}-validation-${i}`, {
        zoneId: this.zoneId,
        name: option.resourceRecordName,
        type: option.resourceRecordType,
        records: [option.resourceRecordValue],
        ttl: 300,
        // ACM reuses a name for the same domain, e.g. after the certificate is replaced.
        allowOverwrite: true
      }, parent)
    })

    const validation = new aws.acm.CertificateValidation(`${name}-certificate-validation`, {
      certificateArn: certificate.arn,
      validationRecordFqdns: validationRecords.map(r => r.fqdn)
    }, parent)

    this.domainName = new aws.apigatewayv2.DomainName(`${name}-domain`, {
      domainName: args.domain,
      domainNameConfiguration: {
        certificateArn: validation.certificateArn,
        endpointType: 'REGIONAL',
        securityPolicy: 'TLS_1_2',
        // Without dualstack the target has no IPv6 address and the AAAA record below answers nothing.
        ipAddressType: 'dualstack'
      }
    }, parent)

    this.mapping = new aws.apigatewayv2.ApiMapping(`${name}-mapping`, {
      apiId: args.apiId,
      domainName: this.domainName.id,
      stage: args.stageName
    }, parent)

    const target = this.domainName.domainNameConfiguration
    this.aliasRecords = ['A', 'AAAA'].map(type =>
      new aws.route53.Record(`${name}-alias-${type.toLowerCase()}`, {
        zoneId: this.zoneId,
        name: args.domain,
        type,
        aliases: [{
          name: target.targetDomainName,
          zoneId: target.hostedZoneId,
          evaluateTargetHealth: false
        }]
      }, parent))

    this.url = pulumi.output(`https://${args.domain}`)
    this.registerOutputs({ zoneId: this.zoneId, nameServers: this.nameServers, url: this.url })
  }
}
