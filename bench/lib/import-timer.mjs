// Child process: imports one module in a fresh process and prints, as JSON, the time from the
// process's start to the module being ready, and whether it exports a handler function.
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

const target = process.argv[2]
if (!target) throw new Error('usage: import-timer.mjs <module>')
const importStarted = performance.now()
const loaded = await import(pathToFileURL(resolve(target)).href)
const ready = performance.now()
process.stdout.write(JSON.stringify({ sinceStartMs: ready, importMs: ready - importStarted, handler: typeof loaded.handler }) + '\n')
// The app may hold timers or sockets open; the measurement is done.
process.exit(0)
