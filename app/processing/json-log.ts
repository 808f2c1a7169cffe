import type { ProcessorLog } from './deps.js'

const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity } as Record<string, number>

/**
 * One JSON line per entry on stdout, which Lambda sends to CloudWatch: the same fields pino
 * writes for the HTTP app (level, time, msg, err with type, message and stack).
 */
export function jsonLog (level: string, write: (line: string) => void = line => process.stdout.write(line + '\n')): ProcessorLog {
  const threshold = LEVELS[level] ?? LEVELS['info']!
  const entry = (name: 'debug' | 'info' | 'warn' | 'error') => (fields: object, message: string): void => {
    if (LEVELS[name]! < threshold) return
    const { err, ...rest } = fields as { err?: unknown }
    write(JSON.stringify({ level: LEVELS[name], time: Date.now(), ...rest, ...(err !== undefined && { err: serializeError(err) }), msg: message }))
  }
  return { debug: entry('debug'), info: entry('info'), warn: entry('warn'), error: entry('error') }
}

function serializeError (err: unknown): object {
  if (!(err instanceof Error)) return { message: String(err) }
  const nested = err instanceof AggregateError ? { errors: err.errors.map(serializeError) } : {}
  return { type: err.name, message: err.message, stack: err.stack, ...nested }
}
