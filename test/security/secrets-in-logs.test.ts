/**
 * No secret ever reaches a log: `node app` at LOG_LEVEL=trace (everything it can log), requests
 * carrying every credential header, uploads accepted and refused; then nothing it printed, on
 * stdout or stderr, holds a secret or a delete token.
 */
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { fixture } from '../helpers/multipart.js'
import { spawnNodeApp, waitForLog } from '../helpers/node-app.js'
import { freePort, tempDir } from '../helpers/stand-ins.js'

const secret = (name: string): string => `${name}-${randomBytes(16).toString('hex')}`
const secrets = {
  authorization: `Bearer ${secret('bearer')}`,
  cookie: `session=${secret('cookie')}`,
  'x-api-key': secret('apikey'),
  'x-delete-token': secret('deletetoken')
}

t.test('credentials in headers and delete tokens in responses never appear in the logs', async t => {
  const dataDir = await tempDir()
  t.teardown(() => dataDir.remove())
  const port = await freePort()
  const app = spawnNodeApp({ PORT: String(port), DATA_DIR: dataDir.path, LOG_LEVEL: 'trace' })
  t.teardown(() => { app.child.kill('SIGKILL') })
  await waitForLog(app, line => line['mode'] === 'local')
  const base = `http://127.0.0.1:${port}`

  const upload = async (name: string, content: Buffer) => {
    const form = new FormData()
    form.append('file', new Blob([new Uint8Array(content)]), name)
    return fetch(`${base}/upload`, { method: 'POST', body: form, headers: secrets })
  }
  const stored = await upload('image.jpg', fixture('image.jpg'))
  t.equal(stored.status, 201)
  const record = await stored.json() as { id: string, deleteToken?: string }
  t.equal((await upload('notes.png', Buffer.from('not an image'))).status, 415)
  t.equal((await fetch(`${base}/gallery/${record.id}`, { headers: secrets })).status, 200)
  t.equal((await fetch(`${base}/nope?x=1`, { headers: secrets })).status, 404)

  app.child.kill('SIGTERM')
  t.equal(await app.exited, 0)
  const printed = JSON.stringify(app.logs) + app.stderr()
  t.ok(app.logs.some(line => line['msg'] === 'incoming request'), 'the capture holds the request logs')
  t.ok(app.logs.some(line => line['msg'] === 'image stored' && line['imageId'] === record.id), 'and the upload summary')
  for (const [header, value] of Object.entries(secrets)) {
    const bare = value.replace(/^(Bearer |session=)/, '')
    t.notOk(printed.includes(bare), `the ${header} value is not logged`)
  }
  if (record.deleteToken) t.notOk(printed.includes(record.deleteToken), 'the delete token of the upload is not logged')
})
