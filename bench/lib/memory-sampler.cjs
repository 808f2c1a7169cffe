// Preloaded into a server (node --require) by bench/profile.ts: samples the main thread's memory
// every 50 ms and writes the peaks to BENCH_MEMORY_FILE at exit, to show where the RSS goes.
const { isMainThread } = require('node:worker_threads')
const { writeFileSync } = require('node:fs')

const file = process.env.BENCH_MEMORY_FILE
if (isMainThread && file) {
  const peak = { rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 }
  setInterval(() => {
    const now = process.memoryUsage()
    for (const key of Object.keys(peak)) peak[key] = Math.max(peak[key], now[key])
  }, 50).unref()
  process.once('exit', () => writeFileSync(file, JSON.stringify(peak)))
}
