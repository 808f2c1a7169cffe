// Builds each Lambda function into dist/<name>/: an ESM bundle (index.mjs, exports `handler`)
// with everything inlined that can be, plus whatever must sit beside it (native packages,
// files read at run time); then zips that folder into dist/<name>.zip, the archive Pulumi
// uploads as it is. A function with native code is built once per architecture
// (dist/processor-arm64.zip, dist/processor-x86_64.zip), its binaries fetched for Lambda's
// platform whatever the build machine is. Run: npm run build (tsx infra/bundle.ts).
import { cpSync, existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs'
import { isBuiltin } from 'node:module'
import { basename, dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'
import { ARCHITECTURES, fetchPackage, fitsPlatform, isPlatformSpecific, lambdaPlatform, lockEntry, readLock, type Architecture, type LockEntry, type Platform } from './platform-packages.js'
import { zipFolder } from './zip.js'

export interface BundleEntry {
  /** Output folder: dist/<name>/index.mjs. */
  name: string
  /** Module (relative to the project root) that exports `handler`. Skipped while it does not exist. */
  source: string
  /** Packages left out of the bundle (native code); each must be in copyModules too. */
  external?: string[]
  /** Packages copied with their installed runtime dependencies into dist/<name>/node_modules. */
  copyModules?: string[]
  /** Files or folders read at run time, copied from the project (from) to dist/<name>/<to>. */
  copyFiles?: Array<{ from: string, to: string }>
  /**
   * Set when a copied package has binaries per platform: one archive per architecture,
   * dist/<name>-<architecture>, with those packages fetched for Linux (glibc) on it.
   */
  architectures?: readonly Architecture[]
}

// One line per function. The lambda's pages read their browser assets from ./public beside
// the bundle (app/ui/assets.ts). sharp loads a native binary, so it ships in node_modules
// with the @img packages for the archive's architecture.
export const ENTRIES: BundleEntry[] = [
  { name: 'lambda', source: 'app/lambda.ts', copyFiles: [{ from: 'app/ui/public', to: 'public' }] },
  { name: 'processor', source: 'app/processor-lambda.ts', external: ['sharp'], copyModules: ['sharp'], architectures: ARCHITECTURES },
  { name: 'reconcile', source: 'app/reconcile-lambda.ts' }
]

// An ESM file has no require, __filename or __dirname, and bundled CommonJS code uses them
// (require for builtins; libheif's WASM glue reads __dirname as it loads). `define` points
// the free __dirname/__filename at these, leaving any module's own variables of that name alone.
const BANNER = [
  "import { createRequire as __bundleCreateRequire } from 'node:module'",
  "import { dirname as __bundlePathDirname } from 'node:path'",
  "import { fileURLToPath as __bundleFileURLToPath } from 'node:url'",
  'const require = __bundleCreateRequire(import.meta.url)',
  'const __bundleFilename = __bundleFileURLToPath(import.meta.url)',
  'const __bundleDirname = __bundlePathDirname(__bundleFilename)'
].join(';')

export interface BuiltFile { path: string, bytes: number, gzipBytes: number }
export interface BundleResult {
  /** dist/<name> or, built per architecture, dist/<name>-<architecture>. */
  name: string
  dir: string
  /** <dir>.zip: the archive Pulumi uploads byte for byte. */
  zip: string
  architecture?: Architecture
  skipped?: string
  files: BuiltFile[]
  /** Packages in the archive's node_modules; those fetched for the architecture are in `fetched` too. */
  modules: string[]
  fetched: string[]
  totalBytes: number
  zipBytes: number
}

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')

/** Builds every entry; `architectures` limits the per-architecture ones (tests build one). */
export async function bundle (entries: BundleEntry[] = ENTRIES, options: { root?: string, outDir?: string, architectures?: readonly Architecture[] } = {}): Promise<BundleResult[]> {
  const root = options.root ?? ROOT
  const outDir = resolve(root, options.outDir ?? 'dist')
  const results: BundleResult[] = []
  for (const entry of entries) {
    if (entry.architectures === undefined) {
      results.push(await bundleEntry(entry, root, join(outDir, entry.name)))
      continue
    }
    for (const architecture of entry.architectures.filter(a => options.architectures?.includes(a) ?? true)) {
      results.push(await bundleEntry(entry, root, join(outDir, `${entry.name}-${architecture}`), architecture))
    }
  }
  return results
}

async function bundleEntry (entry: BundleEntry, root: string, dir: string, architecture?: Architecture): Promise<BundleResult> {
  const name = basename(dir)
  const zip = `${dir}.zip`
  if (!existsSync(join(root, entry.source))) {
    return { name, dir, zip, architecture, skipped: `${entry.source} does not exist yet`, files: [], modules: [], fetched: [], totalBytes: 0, zipBytes: 0 }
  }
  const external = entry.external ?? []
  const notCopied = external.filter(name => !(entry.copyModules ?? []).includes(name))
  if (notCopied.length > 0) throw new Error(`${entry.name}: external ${notCopied.join(', ')} must also be in copyModules, or the archive is incomplete`)

  rmSync(dir, { recursive: true, force: true })
  rmSync(zip, { force: true })
  const outfile = join(dir, 'index.mjs')
  const { metafile } = await build({
    absWorkingDir: root,
    entryPoints: [join(root, entry.source)],
    outfile,
    bundle: true,
    // esbuild leaves packages out when the platform is node unless told to bundle them.
    packages: 'bundle',
    platform: 'node',
    format: 'esm',
    target: 'node22',
    minify: true,
    sourcemap: true,
    external,
    banner: { js: BANNER },
    define: { __dirname: '__bundleDirname', __filename: '__bundleFilename' },
    metafile: true,
    logLevel: 'warning'
  })
  for (const [output, { imports }] of Object.entries(metafile.outputs)) {
    const outside = imports.filter(i => i.external && !isBuiltin(i.path) && !external.some(name => i.path === name || i.path.startsWith(`${name}/`)))
    if (outside.length > 0) throw new Error(`${output} imports ${outside.map(i => i.path).join(', ')}, which the archive does not contain`)
  }

  for (const { from, to } of entry.copyFiles ?? []) cpSync(join(root, from), join(dir, to), { recursive: true })
  const { modules, fetched } = copyModules(root, entry.copyModules ?? [], dir, architecture && lambdaPlatform(architecture))

  const files = [outfile, `${outfile}.map`].map(path => {
    const content = readFileSync(path)
    return { path, bytes: content.length, gzipBytes: gzipSync(content).length }
  })
  const { bytes: zipBytes } = zipFolder(dir, zip)
  return { name, dir, zip, architecture, files, modules, fetched, totalBytes: folderBytes(dir), zipBytes }
}

/**
 * Copies packages and their installed dependencies, keeping their node_modules layout. A
 * dependency the lockfile marks for certain platforms (os, cpu, libc) is never copied from this
 * machine: with a platform it is fetched for that platform when it fits, else left out.
 */
export function copyModules (root: string, names: string[], dir: string, platform?: Platform): { modules: string[], fetched: string[] } {
  const lock = readLock(root)
  const found = new Set<string>()
  const toFetch = new Map<string, LockEntry>()
  const visit = (name: string, from: string, optional: boolean): void => {
    const pinned = lockEntry(lock, from, name)
    if (pinned !== undefined && isPlatformSpecific(pinned.entry)) {
      if (platform === undefined) throw new Error(`${name} is built per platform: give the entry architectures`)
      if (fitsPlatform(pinned.entry, platform)) toFetch.set(pinned.location, pinned.entry)
      return
    }
    const location = findPackage(root, join(root, from), name)
    if (location === undefined) {
      if (optional) return
      throw new Error(`${name} is not installed (needed beside the bundle)`)
    }
    if (found.has(location)) return
    found.add(location)
    const pkg = JSON.parse(readFileSync(join(root, location, 'package.json'), 'utf8')) as { dependencies?: object, optionalDependencies?: object }
    const fetchedBefore = toFetch.size
    const platformOptional = Object.keys(pkg.optionalDependencies ?? {}).filter(dep => {
      const entry = lockEntry(lock, toPosix(location), dep)?.entry
      return entry !== undefined && isPlatformSpecific(entry)
    })
    for (const dep of Object.keys(pkg.dependencies ?? {})) visit(dep, toPosix(location), false)
    for (const dep of Object.keys(pkg.optionalDependencies ?? {})) visit(dep, toPosix(location), true)
    if (platformOptional.length > 0 && toFetch.size === fetchedBefore) {
      throw new Error(`${name} has no package for ${platform!.os} ${platform!.cpu} ${platform!.libc} in package-lock.json (it has ${platformOptional.join(', ')})`)
    }
  }
  for (const name of names) visit(name, '', false)
  const locations = [...found].sort()
  for (const location of locations) {
    // A package nested inside one already copied came along with it.
    if (locations.some(other => location.startsWith(other + sep))) continue
    cpSync(join(root, location), join(dir, location), { recursive: true, dereference: true })
  }
  for (const [location, entry] of toFetch) fetchPackage(location.replace(/^.*node_modules\//, ''), entry, join(dir, location), root)
  const fetched = [...toFetch.keys()].sort()
  return { modules: [...locations.map(toPosix), ...fetched].sort(), fetched }
}

const toPosix = (path: string): string => path.split(sep).join('/')

/** Node's lookup: <dir>/node_modules/<name>, walking up from `from` to the project root. */
function findPackage (root: string, from: string, name: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name)
    if (existsSync(join(candidate, 'package.json'))) return relative(root, candidate)
    if (dir === root || relative(root, dir).startsWith('..')) return undefined
  }
}

function folderBytes (path: string): number {
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.size
  return readdirSync(path).reduce((sum, name) => sum + folderBytes(join(path, name)), 0)
}

const size = (bytes: number): string => bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(2)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`

export function report (results: BundleResult[], root = ROOT): string {
  return results.map(result => {
    if (result.skipped) return `${result.name}: skipped (${result.skipped})`
    const files = result.files.map(f => `  ${relative(root, f.path).padEnd(32)} ${size(f.bytes).padStart(10)}  gzip ${size(f.gzipBytes).padStart(10)}`)
    const modules = result.modules.length > 0 ? [`  node_modules: ${result.modules.map(m => m.replace(/^node_modules\//, '')).join(', ')}`] : []
    const archive = `  ${relative(root, result.zip).padEnd(32)} ${size(result.zipBytes).padStart(10)}  (the archive Pulumi uploads)`
    return [`${result.name}: ${size(result.totalBytes)} in ${relative(root, result.dir)}/`, ...files, ...modules, archive].join('\n')
  }).join('\n')
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    console.log(report(await bundle()))
  } catch (err) {
    console.error((err as Error).message)
    process.exitCode = 1
  }
}
