// Child process: s3rver + dynalite, so that neither the server under test nor the direct
// uploader carries the stand-ins' CPU or memory. Prints its endpoints as one JSON line.
import { startLocalStack } from '../../app/plugins/local-stack.js'

const dataDir = process.argv[2]
if (!dataDir) throw new Error('usage: stand-ins-main.ts <dataDir>')
const stack = await startLocalStack({ dataDir })
process.stdout.write(JSON.stringify(stack.endpoints) + '\n')
process.once('SIGTERM', () => {
  stack.close().finally(() => process.exit(0))
})
