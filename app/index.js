// `node app` runs the service from its TypeScript sources: tsx compiles them on load, so no
// build step stands between `npm ci` and a running server. (Lambda runs the esbuild bundle.)
import { register } from 'tsx/esm/api'

register()
const { main } = await import('./server.ts')
await main()
