import type { Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../app/app.js'
import { loadConfig, type Config } from '../../app/config.js'
import { createAwsClients, destroyAwsClients, type AwsClients } from '../../app/plugins/aws-clients.js'
import { ensureStorage } from '../../app/plugins/provision.js'
import { CREDENTIALS } from './stand-ins.js'

export interface TestTarget {
  s3: string
  dynamodb: string
}

let counter = 0

/** A config for tests: a fresh bucket and table per app, so tests never see each other's data. */
export function testConfig (target: TestTarget, env: Record<string, string> = {}): Config {
  counter += 1
  const unique = `${process.pid}-${counter}`
  return loadConfig({
    APP_MODE: 'endpoints',
    AWS_ENDPOINT_URL_S3: target.s3,
    AWS_ENDPOINT_URL_DYNAMODB: target.dynamodb,
    BUCKET_NAME: `test-bucket-${unique}`,
    TABLE_NAME: `test-table-${unique}`,
    LOG_LEVEL: 'silent',
    ...env
  })
}

export function testClients (config: Config): AwsClients {
  return createAwsClients(config, { endpoints: config.endpoints, credentials: CREDENTIALS })
}

export interface TestApp {
  app: FastifyInstance
  config: Config
  clients: AwsClients
}

/**
 * Builds the app against the given stand-ins with its own bucket and table, and closes it
 * when the test ends. `clients` lets a test swap in a client pointed somewhere that fails.
 */
export async function buildTestApp (t: Test, target: TestTarget, env: Record<string, string> = {}, clients?: Partial<AwsClients>): Promise<TestApp> {
  const config = testConfig(target, env)
  const real = testClients(config)
  await ensureStorage(real.s3, real.ddb, config)
  const used = { ...real, ...clients }
  const app = await buildApp(config, used, { logger: false })
  t.teardown(async () => {
    await app.close()
    destroyAwsClients(real)
  })
  return { app, config, clients: real }
}
