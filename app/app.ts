import { randomUUID } from 'node:crypto'
import type { ServerOptions } from 'node:http'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import accepts from '@fastify/accepts'
import multipart from '@fastify/multipart'
import type { Config } from './config.js'
import type { AwsClients } from './plugins/aws-clients.js'
import { registerErrorHandlers, registerNotFound } from './plugins/error-handler.js'
import { openApiRoutes, registerOpenApi } from './plugins/openapi.js'
import { registerRateLimit } from './plugins/rate-limit.js'
import { registerSecurityHeaders } from './plugins/security-headers.js'
import { pathOnlyRequestLines } from './plugins/request-log.js'
import { FIELD_VALUE_BYTES, registerUnreadBodyDrain } from './plugins/unread-body.js'
import { imageRecordSchema, pendingImageSchema, uploadedImageSchema } from './routes/schemas.js'
import healthRoutes from './routes/health.js'
import uploadRoutes from './routes/upload.js'
import pageRoutes from './routes/pages.js'
import homeRoutes from './routes/home.js'
import directUploadRoutes from './routes/direct-uploads.js'
import docsRoutes from './routes/docs.js'
import imageRoutes from './routes/images.js'
import imageFileRoutes from './routes/image-files.js'
import assetRoutes from './ui/assets.js'

export interface AppDeps extends AwsClients {
  config: Config
}

export interface BuildOptions {
  /** Fastify logger options; tests pass false or a destination stream. */
  logger?: FastifyServerOptions['logger']
  /** Makes each request's logger; the Lambda handler binds its request ids here. */
  childLoggerFactory?: FastifyServerOptions['childLoggerFactory']
}

/**
 * Headers that carry secrets: never logged, wherever a log line nests request headers
 * (@fastify/multipart logs all of them under busboyOptions at trace level).
 */
const SECRET_HEADERS = ['authorization', 'cookie', 'x-api-key', 'x-delete-token']
export const REDACTED = SECRET_HEADERS.flatMap(name => ['*', '*.*'].map(parent => `${parent}.headers["${name}"]`))

/**
 * The one app that the server, the Lambda handler and the tests share. It receives its
 * configuration and AWS clients; it never reads process.env and never listens.
 */
export async function buildApp (config: Config, clients: AwsClients, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: pathOnlyRequestLines(options.logger ?? { level: config.logLevel, redact: REDACTED }),
    genReqId: () => randomUUID(),
    ...serverTimeouts(config),
    // Like Fastify's numeric trustProxy (hop count), which its types do not declare.
    trustProxy: config.trustProxyHops > 0 ? (_address: string, hop: number) => hop < config.trustProxyHops : false,
    ...(options.childLoggerFactory && { childLoggerFactory: options.childLoggerFactory })
  })
  const deps: AppDeps = { config, ...clients }

  registerErrorHandlers(app)
  registerUnreadBodyDrain(app, config)
  await registerSecurityHeaders(app, config, clients.s3)
  await registerRateLimit(app, config)
  registerNotFound(app)
  app.addSchema(imageRecordSchema)
  app.addSchema(uploadedImageSchema)
  app.addSchema(pendingImageSchema)
  await registerOpenApi(app)
  await app.register(accepts)
  await app.register(multipart, {
    limits: {
      fileSize: config.maxUploadBytes,
      files: config.maxFiles,
      fields: config.maxFields,
      parts: config.maxFiles + config.maxFields,
      fieldNameSize: 100,
      fieldSize: FIELD_VALUE_BYTES,
      headerPairs: 100
    }
  })
  await app.register(healthRoutes)
  await app.register(uploadRoutes, deps)
  await app.register(pageRoutes, deps)
  await app.register(homeRoutes, deps)
  await app.register(directUploadRoutes, deps)
  await app.register(imageRoutes, deps)
  await app.register(imageFileRoutes, deps)
  await app.register(assetRoutes)
  await app.register(openApiRoutes)
  await app.register(docsRoutes)
  return app
}

/**
 * A request must arrive whole within REQUEST_TIMEOUT_MS, its headers within a minute at most:
 * Node then answers 408 and closes, so a client that dribbles bytes cannot hold a connection.
 */
function serverTimeouts (config: Config): { requestTimeout: number, http: ServerOptions } {
  const requestTimeout = config.requestTimeoutMs
  return {
    requestTimeout,
    http: {
      requestTimeout,
      headersTimeout: Math.min(60_000, requestTimeout),
      // How often Node looks for connections over those limits.
      connectionsCheckingInterval: Math.min(30_000, Math.max(100, Math.floor(requestTimeout / 4)))
    }
  }
}
