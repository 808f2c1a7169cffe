import type { FastifyInstance, FastifyServerOptions } from 'fastify'
import { buildApp } from './app.js'
import { ConfigError, loadConfig, type Config } from './config.js'
import { createAwsClients, destroyAwsClients, type ClientTarget } from './plugins/aws-clients.js'
import type { LocalStack } from './plugins/local-stack.js'
import { ensureStorage } from './plugins/provision.js'
import type { LocalProcessing } from './processing/local-events.js'

export interface RunningServer {
  app: FastifyInstance
  url: string
  localStack: LocalStack | undefined
  /** Local mode: the embedded S3's events feed the image processor, as S3 feeds the Lambda on AWS. */
  processing: LocalProcessing | undefined
  /** Stops accepting, lets in-flight requests finish, then stops the local stack. */
  close: () => Promise<void>
}

export async function startServer (config: Config, options: { logger?: FastifyServerOptions['logger'] } = {}): Promise<RunningServer> {
  // Loaded only in local mode: s3rver and dynalite cost a server that talks to real endpoints
  // about 15 MiB of RSS and half a second of boot (bench/README.md).
  const localStack = config.mode === 'local'
    ? await (await import('./plugins/local-stack.js')).startLocalStack({ dataDir: config.dataDir, s3Port: config.localS3Port, dynamoPort: config.localDynamoPort })
    : undefined
  const target: ClientTarget = localStack
    ? { endpoints: localStack.endpoints, credentials: localStack.credentials }
    : { endpoints: config.endpoints }
  const clients = createAwsClients(config, target)
  let app: FastifyInstance | undefined
  let processing: LocalProcessing | undefined
  const close = async (): Promise<void> => {
    await app?.close()
    await processing?.stop()
    destroyAwsClients(clients)
    await localStack?.close()
  }
  try {
    if (config.mode !== 'aws') await ensureStorage(clients.s3, clients.ddb, config)
    app = await buildApp(config, clients, options)
    // Like the stack, loaded only in local mode; the processor (sharp, heic-decode) runs in a worker thread.
    if (localStack) processing = (await import('./processing/local-worker.js')).processLocalEventsInWorker(localStack.s3rver, { config, target, log: app.log.child({ component: 'processor' }) })
    const url = await app.listen({ host: config.host, port: config.port })
    app.log.info({
      mode: config.mode,
      url,
      bucket: config.bucket,
      table: config.table,
      s3Endpoint: target.endpoints?.s3 ?? 'aws',
      dynamodbEndpoint: target.endpoints?.dynamodb ?? 'aws',
      ...(localStack && { dataDir: config.dataDir, localCredentials: 'access key id "test", secret "test"' })
    }, `image upload service listening on ${url} (${config.mode} mode)`)
    return { app, url, localStack, processing, close }
  } catch (err) {
    await close()
    throw err
  }
}

/**
 * SIGINT/SIGTERM: stop accepting and let uploads finish; after the grace period, cut the
 * remaining connections so their uploads abort and roll back; a second signal exits at once.
 */
export function handleShutdown (server: RunningServer, graceMs: number): void {
  let closing = false
  const onSignal = (signal: NodeJS.Signals): void => {
    if (closing) {
      server.app.log.warn({ signal }, 'second signal: exiting now')
      process.exit(1)
    }
    closing = true
    server.app.log.info({ signal }, 'shutting down: finishing in-flight uploads')
    const abortTimer = setTimeout(() => {
      server.app.log.warn('grace period over: aborting in-flight uploads')
      server.app.server.closeAllConnections()
    }, graceMs)
    abortTimer.unref()
    server.close().then(() => {
      clearTimeout(abortTimer)
      server.app.log.info('shut down cleanly')
      process.exit(0)
    }, (err: unknown) => {
      server.app.log.error({ err }, 'shutdown failed')
      process.exit(1)
    })
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
}

export async function main (env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let config: Config
  try {
    config = loadConfig(env)
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    console.error(err.message)
    process.exit(1)
  }
  const server = await startServer(config)
  handleShutdown(server, config.shutdownGraceMs)
}
