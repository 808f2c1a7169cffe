// Packages built for one platform (sharp's @img/sharp-linux-arm64, @img/sharp-libvips-linux-x64,
// ...): npm installs only the build machine's, so for a function they are fetched from the
// registry for the function's platform, at the version and integrity package-lock.json pins.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const ARCHITECTURES = ['arm64', 'x86_64'] as const
export type Architecture = typeof ARCHITECTURES[number]

/** What npm matches a package's os, cpu and libc fields against. Lambda runs Amazon Linux (glibc). */
export interface Platform { os: string, cpu: string, libc: string }

export const lambdaPlatform = (architecture: Architecture): Platform =>
  ({ os: 'linux', cpu: architecture === 'arm64' ? 'arm64' : 'x64', libc: 'glibc' })

export interface LockEntry { version?: string, integrity?: string, os?: string[], cpu?: string[], libc?: string[] }
export type Lock = Record<string, LockEntry>

export function readLock (root: string): Lock {
  return (JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Lock }).packages
}

/** Node's lookup in the lockfile: <location>/node_modules/<name>, then each folder above. */
export function lockEntry (lock: Lock, from: string, name: string): { location: string, entry: LockEntry } | undefined {
  for (let dir = from; ; dir = dir.replace(/\/?node_modules\/(@[^/]+\/)?[^/]+$/, '')) {
    const location = `${dir === '' ? '' : `${dir}/`}node_modules/${name}`
    if (lock[location] !== undefined) return { location, entry: lock[location] }
    if (dir === '') return undefined
  }
}

export const isPlatformSpecific = (entry: LockEntry): boolean => entry.os !== undefined || entry.cpu !== undefined || entry.libc !== undefined

/** npm's rule: every listed field names the platform's value (or leaves it out with a "!" entry). */
export function fitsPlatform (entry: LockEntry, platform: Platform): boolean {
  const fits = (allowed: string[] | undefined, value: string): boolean => {
    if (allowed === undefined) return true
    if (allowed.includes(`!${value}`)) return false
    const positive = allowed.filter(item => !item.startsWith('!'))
    return positive.length === 0 || positive.includes(value)
  }
  return fits(entry.os, platform.os) && fits(entry.cpu, platform.cpu) && fits(entry.libc, platform.libc)
}

/**
 * npm pack name@version from the registry, refuse it unless it is the tarball the lockfile pins,
 * and unpack it into dest. Throws when the registry cannot be reached: an archive without its
 * native binary fails only when Lambda loads it.
 */
export function fetchPackage (name: string, pinned: LockEntry, dest: string, cwd: string): void {
  if (pinned.version === undefined || pinned.integrity === undefined) throw new Error(`package-lock.json pins no version and integrity for ${name}`)
  const work = mkdtempSync(join(tmpdir(), 'platform-package-'))
  try {
    let packed: Array<{ filename: string }>
    try {
      const output = execFileSync('npm', ['pack', `${name}@${pinned.version}`, '--pack-destination', work, '--json', '--prefer-offline', '--ignore-scripts'], {
        cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], shell: process.platform === 'win32', timeout: 300_000
      })
      packed = JSON.parse(output) as Array<{ filename: string }>
    } catch (err) {
      const stderr = (err as { stderr?: string }).stderr ?? ''
      throw new Error(`could not fetch ${name}@${pinned.version} from the npm registry: ${(stderr.trim() || (err as Error).message).split('\n').slice(0, 5).join(' ')}`)
    }
    const tarball = join(work, packed[0]!.filename)
    const [algorithm, expected] = pinned.integrity.split(/-(.*)/s) as [string, string]
    const actual = createHash(algorithm).update(readFileSync(tarball)).digest('base64')
    if (actual !== expected) throw new Error(`${name}@${pinned.version} from the registry is not the tarball package-lock.json pins (${algorithm} ${actual}, pinned ${expected})`)
    execFileSync('tar', ['-xzf', tarball, '-C', work], { stdio: 'pipe' })
    rmSync(dest, { recursive: true, force: true })
    cpSync(join(work, 'package'), dest, { recursive: true })
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}
