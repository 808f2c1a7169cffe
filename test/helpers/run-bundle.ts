import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'

/**
 * Imports a bundle in a fresh `node` process started in the bundle's folder, calls its
 * handler once and returns the result and every stdout line: a cold start of the archive as
 * Lambda would run it, with nothing but Node and the folder itself.
 */
export async function invokeBundleInChild (bundlePath: string, event: unknown, context: unknown, env: Record<string, string> = {}): Promise<{ result: unknown, stdout: string[], stderr: string }> {
  const script = `
    const { handler } = await import(${JSON.stringify(pathToFileURL(bundlePath).href)})
    const result = await handler(JSON.parse(process.env.TEST_EVENT), JSON.parse(process.env.TEST_CONTEXT))
    process.stdout.write('RESULT ' + JSON.stringify(result) + '\\n', () => process.exit(0))`
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    cwd: dirname(bundlePath),
    env: { PATH: process.env['PATH'] ?? '', ...env, TEST_EVENT: JSON.stringify(event), TEST_CONTEXT: JSON.stringify(context) },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const code = await new Promise<number | null>(resolve => child.once('exit', resolve))
  const stdout = out.split('\n').filter(Boolean)
  const resultLine = stdout.find(line => line.startsWith('RESULT '))
  if (code !== 0 || resultLine === undefined) throw new Error(`bundle exited with ${code}: ${stderr}`)
  return { result: JSON.parse(resultLine.slice('RESULT '.length)), stdout: stdout.filter(line => line !== resultLine), stderr }
}

/** True when some folder above `dir` has a node_modules a bundle could silently resolve from. */
export function nodeModulesAbove (dir: string): string | undefined {
  for (let current = dir; ; current = dirname(current)) {
    if (existsSync(join(current, 'node_modules'))) return join(current, 'node_modules')
    if (dirname(current) === current) return undefined
  }
}
