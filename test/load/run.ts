// npm run load [-- --clients 64 --uploads 5000 --seed 42]: the full load run against `node app`
// on loopback stand-ins (see load.ts). Prints the figures; exits 1 if any check failed.
// `tap test/load` would run this file too: under tap it only says it is not a test.
import { parseArgs } from 'node:util'
import { runLoad } from './load.js'
import { formatReport } from './report.js'

if (process.env['TAP_CHILD_ID'] !== undefined) {
  console.log('1..0 # SKIP the full load run is `npm run load`; load.test.ts is the bounded test')
  process.exit(0)
}

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '64' },
    uploads: { type: 'string', default: '5000' },
    seed: { type: 'string', default: String(Date.now() % 2 ** 31) }
  }
})
const options = { clients: Number(values.clients), uploads: Number(values.uploads), seed: Number(values.seed) }
if (!Object.values(options).every(Number.isInteger) || options.clients < 1 || options.uploads < 1) {
  console.error('usage: npm run load -- [--clients N] [--uploads N] [--seed N]')
  process.exit(2)
}
const report = await runLoad({ ...options, log: line => console.error(line) })
console.log(formatReport(report))
process.exitCode = report.problems.length === 0 ? 0 : 1
