import t from 'tap'
import { loadConfig } from '../../app/config.js'

t.test('the reliability and security settings have safe defaults', async t => {
  t.match(loadConfig({}), {
    requestTimeoutMs: 120_000,
    rateLimit: { uploadMax: 60, globalMax: 600, windowMs: 60_000 },
    trustProxyHops: 0,
    corsOrigins: [],
    reconcileGraceMs: 3_600_000
  })
})

t.test('values that would turn a protection off or make no sense refuse to boot, naming the variable', async t => {
  const refused: Array<[string, string]> = [
    ['REQUEST_TIMEOUT_MS', '0'],
    ['RATE_LIMIT_MAX', '0'],
    ['RATE_LIMIT_GLOBAL_MAX', 'lots'],
    ['RATE_LIMIT_WINDOW_MS', '10'],
    ['TRUST_PROXY_HOPS', '11'],
    ['TRUST_PROXY_HOPS', 'true'],
    ['CORS_ORIGINS', 'https://a.example, https://b.example'],
    ['RECONCILE_GRACE_MS', '-1']
  ]
  for (const [name, value] of refused) t.throws(() => loadConfig({ [name]: value }), new RegExp(`Invalid configuration: ${name}`), `${name}=${value}`)
})

t.test('values are read', async t => {
  t.match(loadConfig({ REQUEST_TIMEOUT_MS: '30000', RATE_LIMIT_MAX: '5', RATE_LIMIT_GLOBAL_MAX: '50', RATE_LIMIT_WINDOW_MS: '1000', TRUST_PROXY_HOPS: '2', CORS_ORIGINS: 'https://a.example,http://localhost:5173', RECONCILE_GRACE_MS: '0' }), {
    requestTimeoutMs: 30_000,
    rateLimit: { uploadMax: 5, globalMax: 50, windowMs: 1000 },
    trustProxyHops: 2,
    corsOrigins: ['https://a.example', 'http://localhost:5173'],
    reconcileGraceMs: 0
  })
})
