import { join } from 'node:path'
import t from 'tap'
import { fakeBuild, one, runProgram, stackConfig } from './fixtures/harness.js'

// The non-default choice: the function and its archive follow processorArchitecture together.
const buildDir = fakeBuild()
const { resources } = await runProgram({ ...stackConfig('prod'), buildDir, processorArchitecture: 'x86_64' })
const fn = (name: string) => one(resources, 'aws:lambda/function:Function', name).inputs

t.test('processorArchitecture x86_64: process_image runs x86_64 from the x86_64 archive; the others are unchanged', async t => {
  t.same(fn('processor-handler-function')['architectures'], ['x86_64'])
  t.equal(await fn('processor-handler-function')['code'].path, join(buildDir, 'processor-x86_64.zip'))
  t.same(fn('upload-function')['architectures'], ['arm64'], 'apiArchitecture is its own setting')
  t.equal(await fn('upload-function')['code'].path, join(buildDir, 'lambda.zip'))
  t.equal(await fn('reconcile-handler-function')['code'].path, join(buildDir, 'reconcile.zip'))
})
