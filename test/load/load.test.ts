/**
 * The bounded load run inside npm test: 16 clients, 300 uploads of the full mix against
 * `node app`. `npm run load` runs the full version (64 clients, 5,000 uploads).
 */
import t from 'tap'
import { runLoad } from './load.js'
import { formatReport } from './report.js'
import { testSeed } from '../helpers/seed.js'

const seed = testSeed('LOAD_SEED', 20261208)
t.comment(`LOAD_SEED=${seed}`)

t.test('16 clients, 300 uploads: every answer as expected, stores exact, memory back near its baseline', async t => {
  const report = await runLoad({ clients: 16, uploads: 300, seed })
  t.comment(formatReport(report).replaceAll('\n', '\n# '))
  t.same(report.problems, [], `no problems (replay with LOAD_SEED=${seed})`)
  t.notOk(Object.keys(report.outcomes).some(outcome => outcome.startsWith('5')), 'no 5xx')
  t.ok((report.outcomes['201'] ?? 0) > 150, 'most uploads stored')
  t.ok(Object.keys(report.outcomes).length >= 6, 'refusals of several kinds')
  t.ok(report.acknowledgedImages >= report.outcomes['201']!, 'batches store several images')
  t.equal(report.exitCode, 0)
})
