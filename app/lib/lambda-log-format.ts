// How every function writes its log lines inside Lambda. With the function's JSON log format,
// Lambda reads "level" and "timestamp" from each line: the level must be one of these names
// and the timestamp RFC 3339, otherwise the line is filed as INFO (pino's numeric 30 or 50 and
// its epoch-millisecond "time" are both invalid there), and an application log-level filter
// of WARN would drop everything. `node app` keeps pino's numbers.

export type LevelName = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'

export const LEVEL_VALUES: Record<LevelName, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 }

/** TRACE, DEBUG, INFO, WARN, ERROR or FATAL: what Lambda accepts as a line's level. */
export const lambdaLevel = (name: string): string => name.toUpperCase()

export const lambdaTimestamp = (): string => new Date().toISOString()

/** pino options that make its lines Lambda's: string levels, an RFC 3339 timestamp. */
export const lambdaPinoFormat = {
  formatters: { level: (label: string) => ({ level: lambdaLevel(label) }) },
  timestamp: () => `,"timestamp":"${lambdaTimestamp()}"`
}
