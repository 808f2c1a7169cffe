import t from 'tap'
import { jsonLog } from '../../app/processing/json-log.js'

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/

function captured (level: string): { log: ReturnType<typeof jsonLog>, lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = []
  return { log: jsonLog(level, line => lines.push(JSON.parse(line))), lines }
}

t.test('each line names its level as Lambda reads it and carries an RFC 3339 timestamp', async t => {
  const { log, lines } = captured('debug')
  log.debug({}, 'd')
  log.info({ imageId: 'x' }, 'i')
  log.warn({}, 'w')
  log.error({ err: new TypeError('boom') }, 'e')
  t.same(lines.map(line => line['level']), ['DEBUG', 'INFO', 'WARN', 'ERROR'])
  for (const line of lines) {
    t.match(line['timestamp'], RFC3339)
    t.ok(Math.abs(Date.parse(line['timestamp'] as string) - Date.now()) < 60_000, 'the timestamp is now')
  }
  t.match(lines[3], { level: 'ERROR', err: { type: 'TypeError', message: 'boom', stack: /TypeError: boom/ }, msg: 'e' })
})

t.test('LOG_LEVEL still filters: warn keeps WARN and ERROR, silent keeps nothing', async t => {
  const warn = captured('warn')
  for (const name of ['debug', 'info', 'warn', 'error'] as const) warn.log[name]({}, name)
  t.same(warn.lines.map(line => line['msg']), ['warn', 'error'])
  const silent = captured('silent')
  silent.log.error({}, 'nothing')
  t.same(silent.lines, [])
})
