// fauxqs in a process of its own, so a test can kill it like a crashed S3: `node --import tsx
// fauxqs-main.ts <port>` prints its URL on the first line.
import { buildApp } from 'fauxqs'

const app = buildApp({ logger: false })
const url = await app.listen({ port: Number(process.argv[2] ?? 0), host: '127.0.0.1' })
console.log(url)
