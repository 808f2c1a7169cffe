import { LEVEL_VALUES, lambdaLevel, lambdaTimestamp, type LevelName } from '../lib/lambda-log-format.js'
import type { ProcessorLog } from './deps.js'

/**
 * One JSON line per entry on stdout, which Lambda sends to CloudWatch: the fields the API
 * function's pino writes there (level as Lambda's name, timestamp, msg, err with type, message
 * and stack). Used by the processor and reconcile functions.
 */
export function jsonLog (level: string, write: (line: string) => void = line => process.stdout.write(line + '\n')): ProcessorLog {
  const threshold = level === 'silent' ? Infinity : LEVEL_VALUES[level as LevelName] ?? LEVEL_VALUES.info
  const entry = (name: 'debug' | 'info' | 'warn' | 'error') => (fields: object, message: string): void => {
    if (LEVEL_VALUES[name] < threshold) return
    const { err, ...rest } = fields as { err?: unknown }
    write(JSON.stringify({ level: lambdaLevel(name), timestamp: lambdaTimestamp(), ...rest, ...(err !== undefined && { err: serializeError(err) }), msg: message }))
  }
  return { debug: entry('debug'), info: entry('info'), warn: entry('warn'), error: entry('error') }
}

function serializeError (err: unknown): object {
  if (!(err instanceof Error)) return { message: String(err) }
  const nested = err instanceof AggregateError ? { errors: err.errors.map(serializeError) } : {}
  return { type: err.name, message: err.message, stack: err.stack, ...nested }
}
