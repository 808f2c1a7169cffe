import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { bundle, ENTRIES } from '../../infra/bundle.js'
import { fetchPackage, readLock } from '../../infra/platform-packages.js'
import { elfMachine, nativeBinaries } from '../helpers/elf.js'
import { tempDir } from '../helpers/stand-ins.js'

// Building (esbuild, fetching sharp's packages, zipping) takes tens of seconds on two busy cores.
t.setTimeout(240_000)

// This machine is linux-x64: the arm64 archive cannot run here, so its binaries are read instead.
const processor = ENTRIES.find(entry => entry.name === 'processor')!

t.test('the processor built for arm64 holds sharp\'s linux-arm64 (glibc) binaries, fetched from the registry, and no others', async t => {
  const out = await tempDir('bundle-arm64-')
  t.teardown(() => out.remove())
  const [result] = await bundle([processor], { outDir: out.path, architectures: ['arm64'] })
  t.match(result, { name: 'processor-arm64', architecture: 'arm64' })
  t.same(result!.fetched, ['node_modules/@img/sharp-libvips-linux-arm64', 'node_modules/@img/sharp-linux-arm64'])
  t.same(readdirSync(join(result!.dir, 'node_modules', '@img')).sort(), ['colour', 'sharp-libvips-linux-arm64', 'sharp-linux-arm64'])
  const binaries = nativeBinaries(result!.dir)
  t.ok(binaries.some(path => path.endsWith('.node')) && binaries.some(path => /libvips-cpp\.so/.test(path)), binaries.join('\n'))
  for (const path of binaries) t.equal(elfMachine(path), 'arm64', path)
  t.ok(existsSync(result!.zip), 'zipped')
})

t.test('an unreachable registry fails the build, naming the package it could not fetch', async t => {
  const out = await tempDir('bundle-offline-')
  const cache = await tempDir('npm-cache-')
  t.teardown(async () => { await out.remove(); await cache.remove() })
  const saved = { ...process.env }
  t.teardown(() => { process.env = saved })
  // Nothing listens on port 9; an empty cache holds nothing to fall back on.
  Object.assign(process.env, { npm_config_registry: 'http://127.0.0.1:9/', npm_config_cache: cache.path, npm_config_fetch_retries: '0' })
  await t.rejects(bundle([processor], { outDir: out.path, architectures: ['arm64'] }), /could not fetch @img\/sharp-(libvips-)?linux-arm64@[\d.]+ from the npm registry/)
})

t.test('a tarball that is not the one package-lock.json pins is refused', async t => {
  const out = await tempDir('bundle-integrity-')
  t.teardown(() => out.remove())
  const pinned = readLock(process.cwd())['node_modules/@img/sharp-linux-arm64']!
  const other = { ...pinned, integrity: `sha512-${Buffer.alloc(64, 7).toString('base64')}` }
  t.throws(() => fetchPackage('@img/sharp-linux-arm64', other, join(out.path, 'pkg'), process.cwd()), /is not the tarball package-lock\.json pins/)
  t.notOk(existsSync(join(out.path, 'pkg')))
})
