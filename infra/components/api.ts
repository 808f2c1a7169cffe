import * as aws from '@pulumi/aws'
import * as pulumi from '@pulumi/pulumi'

export interface HttpApiArgs {
  /** The Lambda function that serves every route. */
  handler: { arn: pulumi.Input<string>, functionName: pulumi.Input<string> }
  /** Browser origins allowed to call the API (CORS). */
  corsOrigins: string[]
  /** Requests per second across the stage, and the burst above that. Defaults 100 and 50. */
  throttleRateLimit?: number
  throttleBurstLimit?: number
  logRetentionDays: number
  /** Only the custom domain answers when true. Default false. */
  disableExecuteApiEndpoint?: boolean
}

// One JSON object per request in the access log.
export const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  path: '$context.path',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationStatus: '$context.integrationStatus',
  integrationErrorMessage: '$context.integrationErrorMessage',
  errorMessage: '$context.error.message'
})

/**
 * HTTP API with a single `$default` route proxied to the app (payload 2.0, which carries binary
 * bodies base64-encoded and byte-exact), one auto-deployed `$default` stage with throttling and
 * access logs.
 */
export class HttpApi extends pulumi.ComponentResource {
  readonly api: aws.apigatewayv2.Api
  readonly stage: aws.apigatewayv2.Stage
  readonly accessLogs: aws.cloudwatch.LogGroup
  readonly invokePermission: aws.lambda.Permission
  readonly apiId: pulumi.Output<string>
  readonly url: pulumi.Output<string>

  constructor (name: string, args: HttpApiArgs, opts?: pulumi.ComponentResourceOptions) {
    super('image-upload:api:HttpApi', name, {}, opts)
    const parent = { parent: this }

    this.api = new aws.apigatewayv2.Api(`${name}-api`, {
      protocolType: 'HTTP',
      description: 'Image upload service',
      ipAddressType: 'dualstack',
      disableExecuteApiEndpoint: args.disableExecuteApiEndpoint ?? false,
      corsConfiguration: {
        allowOrigins: args.corsOrigins,
        allowMethods: ['GET', 'POST', 'DELETE', 'OPTIONS'],
        allowHeaders: ['content-type', 'authorization', 'x-delete-token', 'x-api-key'],
        maxAge: 3600
      }
    }, parent)

    const integration = new aws.apigatewayv2.Integration(`${name}-integration`, {
      apiId: this.api.id,
      integrationType: 'AWS_PROXY',
      integrationUri: args.handler.arn,
      integrationMethod: 'POST',
      payloadFormatVersion: '2.0',
      timeoutMilliseconds: 30000
    }, parent)

    const route = new aws.apigatewayv2.Route(`${name}-route`, {
      apiId: this.api.id,
      // The app routes every path itself.
      routeKey: '$default',
      target: pulumi.interpolate`integrations/${integration.id}`
    }, parent)

    this.accessLogs = new aws.cloudwatch.LogGroup(`${name}-access-logs`, {
      name: pulumi.interpolate`/aws/apigateway/${this.api.name}/access`,
      retentionInDays: args.logRetentionDays
    }, parent)

    this.stage = new aws.apigatewayv2.Stage(`${name}-stage`, {
      apiId: this.api.id,
      name: '$default',
      autoDeploy: true,
      defaultRouteSettings: {
        throttlingBurstLimit: args.throttleBurstLimit ?? 50,
        throttlingRateLimit: args.throttleRateLimit ?? 100
      },
      accessLogSettings: { destinationArn: this.accessLogs.arn, format: ACCESS_LOG_FORMAT }
    }, { parent: this, dependsOn: [route] })

    this.invokePermission = new aws.lambda.Permission(`${name}-invoke`, {
      action: 'lambda:InvokeFunction',
      function: args.handler.functionName,
      principal: 'apigateway.amazonaws.com',
      sourceArn: pulumi.interpolate`${this.api.executionArn}/*/*`
    }, parent)

    this.apiId = this.api.id
    this.url = this.api.apiEndpoint
    this.registerOutputs({ apiId: this.apiId, url: this.url })
  }
}
