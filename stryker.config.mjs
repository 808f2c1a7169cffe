// npm run mutate: mutation testing (StrykerJS) over the files a user's data depends on. Not part
// of npm test or CI: it runs each test file that covers a mutant, once per mutant, for an hour or
// so on 2 cores. `MUTATE_TESTS=test/lib/filename.test.ts npm run mutate -- --mutate app/lib/filename.ts`
// runs one file against its own tests. Results:
// reports/mutation/ (HTML) and the README's latest score.
const mutate = [
  'app/services/receive-upload.ts',
  'app/services/originals.ts',
  'app/services/metadata.ts',
  'app/services/delete-image.ts',
  'app/lib/image-head.ts',
  'app/lib/delete-token.ts',
  'app/lib/filename.ts',
  'app/processing/admit-direct-upload.ts',
  'app/processing/item-state.ts',
  'app/reconcile/reconcile.ts'
]

// The tests that exercise those files. Stryker records which of them reaches each mutant (the
// tap runner's per-file coverage) and runs only those, stopping at the first that fails.
const testFiles = [
  'test/lib/delete-token.test.ts',
  'test/lib/filename.test.ts',
  'test/lib/image-head.test.ts',
  'test/routes/upload-errors.test.ts',
  'test/routes/upload-formats.test.ts',
  'test/routes/upload-late-headers.test.ts',
  'test/routes/upload-faults.test.ts',
  'test/routes/images-delete.test.ts',
  'test/security/delete-rights.test.ts',
  'test/security/lying-files.test.ts',
  'test/faults/lost-replies.test.ts',
  'test/processing/direct-upload.test.ts',
  'test/processing/direct-upload-races.test.ts',
  'test/processing/failures.test.ts',
  'test/reconcile/reconcile.test.ts'
]

export default {
  packageManager: 'npm',
  testRunner: 'tap',
  // MUTATE_TESTS=a.test.ts,b.test.ts narrows the tests for a quick run over one file.
  tap: { testFiles: process.env.MUTATE_TESTS?.split(',') ?? testFiles, nodeArgs: ['--import', 'tsx'], forceBail: true },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  coverageAnalysis: 'perTest',
  mutate,
  concurrency: 2,
  timeoutMS: 30000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  thresholds: { high: 90, low: 85, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always'
}
