// The worker thread `node app` processes images in (local-worker.ts starts it). Like app/index.js
// it registers tsx, so the processor runs from its TypeScript sources; the loader is per thread.
import { register } from 'tsx/esm/api'

register()
await import('./local-worker-main.ts')
