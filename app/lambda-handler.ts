import { AsyncLocalStorage } from 'node:async_hooks'
import awsLambdaFastify, { type LambdaResponse } from '@fastify/aws-lambda'
import type { FastifyInstance, FastifyServerOptions } from 'fastify'
import { buildApp, REDACTED } from './app.js'
import { loadConfig, type Config } from './config.js'
import { isBinaryResponse } from './lib/binary-response.js'
import { lambdaPinoFormat } from './lib/lambda-log-format.js'
import { createAwsClients, destroyAwsClients, type AwsClients } from './plugins/aws-clients.js'

/** The parts of an API Gateway event (HTTP API 2.0 or REST 1.0) read here; the adapter reads the rest. */
export interface LambdaEvent {
  requestContext?: { requestId?: string }
}

/** The parts of the Lambda context read here. */
export interface LambdaContext {
  awsRequestId: string
  callbackWaitsForEmptyEventLoop?: boolean
}

export type LambdaHandler = (event: LambdaEvent, context: LambdaContext) => Promise<LambdaResponse>

export interface LambdaEntry {
  handler: LambdaHandler
  app: FastifyInstance
  config: Config
  clients: AwsClients
  close: () => Promise<void>
}

interface InvocationIds {
  awsRequestId: string
  apiRequestId: string | undefined
}

/**
 * The app behind @fastify/aws-lambda, built and ready before the first event: one app and one
 * set of AWS clients per container. On AWS the clients take credentials from the default chain
 * (the function's role); the bucket and table belong to the Pulumi program, so nothing is
 * provisioned here.
 */
export async function createLambdaHandler (env: NodeJS.ProcessEnv, options: { logger?: false | Exclude<FastifyServerOptions['logger'], boolean | undefined> } = {}): Promise<LambdaEntry> {
  const config = loadConfig(env)
  const clients = createAwsClients(config, { endpoints: config.endpoints })
  const invocation = new AsyncLocalStorage<InvocationIds>()
  const app = await buildApp(config, clients, {
    // Lambda's JSON log format reads the level and timestamp of each line (lambda-log-format.ts).
    logger: options.logger === false ? false : { level: config.logLevel, redact: REDACTED, ...lambdaPinoFormat, ...options.logger },
    // Fastify makes a request's logger before any hook runs ('incoming request' is its first
    // line), so the ids come from the invocation's async context, not from an onRequest hook.
    childLoggerFactory: (logger, bindings, loggerOptions) => logger.child({ ...bindings, ...invocation.getStore() }, loggerOptions)
  })
  const proxy = awsLambdaFastify<LambdaEvent>(app, {
    // Decides base64 from the response itself: binaryMimeTypes only matches exact types.
    enforceBase64: isBinaryResponse,
    // Keep-alive sockets of the AWS clients stay open between invocations; the response
    // must not wait for them.
    callbackWaitsForEmptyEventLoop: false
  })
  await app.ready()

  const handler: LambdaHandler = (event, context) => {
    const ids = { awsRequestId: context.awsRequestId, apiRequestId: event.requestContext?.requestId }
    return invocation.run(ids, () => proxy(event, context))
  }
  const close = async (): Promise<void> => {
    await app.close()
    destroyAwsClients(clients)
  }
  return { handler, app, config, clients, close }
}
