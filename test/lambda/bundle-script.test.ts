import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { bundle, report, type BundleEntry } from '../../infra/bundle.js'
import { fixture } from '../helpers/multipart.js'
import { nodeModulesAbove, startBundle } from '../helpers/run-bundle.js'
import { tempDir } from '../helpers/stand-ins.js'

// Building (esbuild, fetching sharp's packages, zipping) takes tens of seconds on two busy cores.
t.setTimeout(240_000)

const sharpEntry: BundleEntry = { name: 'resizer', source: 'test/lambda/fixtures/sharp-entry.ts', external: ['sharp'], copyModules: ['sharp'], architectures: ['arm64', 'x86_64'] }

t.test('an entry whose source does not exist yet is skipped with a note; the others still build', async t => {
  const out = await tempDir('bundle-skip-')
  t.teardown(() => out.remove())
  const results = await bundle([{ name: 'later', source: 'app/not-written-yet.ts' }, { name: 'lambda', source: 'app/lambda.ts' }], { outDir: out.path })
  t.match(results, [{ name: 'later', skipped: 'app/not-written-yet.ts does not exist yet', files: [] }, { name: 'lambda', files: [{}, {}] }])
  t.notOk(existsSync(join(out.path, 'later')))
  t.ok(existsSync(join(out.path, 'lambda', 'index.mjs')))
  const printed = report(results)
  t.match(printed, /later: skipped \(app\/not-written-yet\.ts does not exist yet\)/)
  t.match(printed, /index\.mjs\s+[\d.]+ MiB\s+gzip\s+[\d.]+ KiB/, 'raw and gzipped sizes are printed')
})

t.test('a native package ships beside the bundle with its runtime dependencies, and works from there', async t => {
  const out = await tempDir('bundle-native-')
  t.teardown(() => out.remove())
  const [result] = await bundle([sharpEntry], { outDir: out.path, architectures: ['x86_64'] })
  t.match(result, { name: 'resizer-x86_64', architecture: 'x86_64', zip: join(out.path, 'resizer-x86_64.zip') })
  const dir = join(out.path, 'resizer-x86_64')
  t.equal(nodeModulesAbove(out.path), undefined)
  for (const pkg of ['sharp', '@img/sharp-linux-x64', '@img/sharp-libvips-linux-x64', '@img/colour', 'detect-libc', 'semver']) {
    t.ok(result!.modules.includes(join('node_modules', pkg)), `${pkg} is listed`)
    t.ok(existsSync(join(dir, 'node_modules', pkg, 'package.json')), `${pkg} is copied`)
  }
  t.notOk(existsSync(join(dir, 'node_modules', '@img', 'sharp-darwin-arm64')), 'packages for other platforms are left out')
  t.notOk(existsSync(join(dir, 'node_modules', '@img', 'sharp-linuxmusl-x64')), 'musl is not Lambda\'s libc')
  t.match(readFileSync(join(dir, 'index.mjs'), 'utf8'), /from"sharp"/, 'sharp stays an import, not inlined')
  t.match(report([result!]), /node_modules: @img\/colour, @img\/sharp-libvips-linux-x64, @img\/sharp-linux-x64, detect-libc, semver, sharp$/m)

  const resizer = await startBundle(join(dir, 'index.mjs'))
  t.teardown(() => resizer.stop())
  const output = await resizer.invoke({ image: fixture('image.jpg').toString('base64') }, {})
  t.same(output, { width: 16, format: 'webp', dirname: dir, filename: join(dir, 'index.mjs') }, 'sharp loads its native binary from the copied packages; __dirname is the bundle folder')
})

t.test('an external package that is not copied is refused: the archive would be incomplete', async t => {
  const out = await tempDir('bundle-refuse-')
  t.teardown(() => out.remove())
  await t.rejects(bundle([{ ...sharpEntry, copyModules: [] }], { outDir: out.path }), /external sharp must also be in copyModules/)
  t.notOk(existsSync(join(out.path, 'resizer-arm64')))
})
