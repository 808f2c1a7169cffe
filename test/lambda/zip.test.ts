import { execFile } from 'node:child_process'
import { chmodSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { zipFolder } from '../../infra/zip.js'
import { tempDir } from '../helpers/stand-ins.js'

const run = promisify(execFile)

t.test('a folder zips to the same bytes whenever it is zipped; unzip restores it with modes Lambda can read', async t => {
  const dir = await tempDir('zip-src-')
  const out = await tempDir('zip-out-')
  t.teardown(async () => { await dir.remove(); await out.remove() })
  mkdirSync(join(dir.path, 'node_modules', 'pkg', 'lib'), { recursive: true })
  writeFileSync(join(dir.path, 'index.mjs'), 'export const handler = async () => 1\n'.repeat(50))
  writeFileSync(join(dir.path, 'node_modules', 'pkg', 'lib', 'native.node'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 1, 2, 3]))
  writeFileSync(join(dir.path, 'tool'), '#!/bin/sh\n')
  chmodSync(join(dir.path, 'tool'), 0o700)
  chmodSync(join(dir.path, 'index.mjs'), 0o600)

  const first = join(out.path, 'first.zip')
  const second = join(out.path, 'second.zip')
  t.match(zipFolder(dir.path, first), { entries: 3 })
  utimesSync(join(dir.path, 'index.mjs'), new Date(), new Date(Date.now() + 60_000))
  zipFolder(dir.path, second)
  t.ok(readFileSync(first).equals(readFileSync(second)), 'same bytes: Pulumi sees no change')

  const { stdout } = await run('zipinfo', [first])
  t.match(stdout, /^-rw-r--r-- .* index\.mjs$/m, 'owner-only files become world-readable')
  t.match(stdout, /^-rw-r--r-- .* node_modules\/pkg\/lib\/native\.node$/m)
  t.match(stdout, /^-rwxr-xr-x .* tool$/m, 'executables stay executable')
  const unpacked = join(out.path, 'unpacked')
  await run('unzip', ['-q', first, '-d', unpacked])
  for (const name of ['index.mjs', 'tool', 'node_modules/pkg/lib/native.node']) {
    t.ok(readFileSync(join(unpacked, name)).equals(readFileSync(join(dir.path, name))), name)
  }
})
