import * as aws from '@pulumi/aws'
import * as pulumi from '@pulumi/pulumi'
import type { ZoneSource } from '../settings.js'

export interface ApiDomainArgs {
  /** Host name to serve, e.g. upload.mennaimages.com. */
  domain: string
  /** Create the hosted zone (default: the domain's own) or look up one that already exists. */
  zone: ZoneSource
  apiId: pulumi.Input<string>
  stageName: pulumi.Input<string>
  /** How long `pulumi up` waits for ACM to see the validation record before it fails. Default 30m. */
  validationTimeout?: string
}

/**
 * The API's own domain: hosted zone, a DNS-validated ACM certificate in the API's region (a
 * regional endpoint needs it there), the API Gateway domain name and A/AAAA alias records.
 *
 * ACM validates through public DNS, which reaches a zone this stack creates only once its parent
 * delegates to it, and the name servers to delegate to are known only after the zone exists. So
 * a created zone comes first, alone with the rest of the stack (`nextStep` says what to do), and the
 * certificate and custom domain follow in the deploy after `zoneDelegated` is set; declared at
 * once, the certificate would hold `pulumi up` until its validation timed out.
 */
export class ApiDomain extends pulumi.ComponentResource {
  readonly zoneId: pulumi.Output<string>
  readonly nameServers: pulumi.Output<string[]>
  /** The API Gateway domain name, once the zone answers for the domain. */
  readonly domainName?: aws.apigatewayv2.DomainName
  readonly mapping?: aws.apigatewayv2.ApiMapping
  readonly aliasRecords: aws.route53.Record[] = []
  /** https://<domain> once it is served; undefined before. */
  readonly url: pulumi.Output<string | undefined>
  /** What the user has to do before the custom domain can be created; undefined when nothing is left. */
  readonly nextStep: pulumi.Output<string | undefined>

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

    if ('create' in args.zone && !args.zone.delegated) {
      this.url = pulumi.output(undefined)
      this.nextStep = delegationStep(args.zone.create, this.nameServers)
      this.registerOutputs({ zoneId: this.zoneId, nameServers: this.nameServers, nextStep: this.nextStep })
      return
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

    // Minutes once the zone is delegated; a wrong delegation fails here instead of holding the deploy.
    const validation = new aws.acm.CertificateValidation(`${name}-certificate-validation`, {
      certificateArn: certificate.arn,
      validationRecordFqdns: validationRecords.map(r => r.fqdn)
    }, { parent: this, customTimeouts: { create: args.validationTimeout ?? '30m' } })
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
    this.nextStep = pulumi.output(undefined)
    this.registerOutputs({ zoneId: this.zoneId, nameServers: this.nameServers, url: this.url })
  }
}

/** The delegation the user makes by hand between the first and the second deploy. */
function delegationStep (zone: string, nameServers: pulumi.Output<string[]>): pulumi.Output<string> {
  const parent = zone.slice(zone.indexOf('.') + 1)
  return nameServers.apply(servers => `Delegate ${zone} to this stack's hosted zone: in the ${parent} zone (at whichever DNS host serves it) add an NS record for ${zone} with the values ${servers.join(', ')} (for a registered domain itself, set these as its name servers at the registrar). Once \`dig +short NS ${zone}\` lists them, run: pulumi config set zoneDelegated true && npm run deploy`)
}
