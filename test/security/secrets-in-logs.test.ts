/**
 * No secret ever reaches a log: `node app` at LOG_LEVEL=trace (everything it can log), requests
 * carrying every credential header, uploads accepted and refused, deletes by token and by admin
 * key, refused and done; then nothing it printed, on stdout or stderr, holds a secret, the admin
 * key or a delete token, even one a client wrongly put in the URL's query string.
 */
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { fixture } from '../helpers/multipart.js'
import { spawnNodeApp, waitForStartup } from '../helpers/node-app.js'
import { tempDir } from '../helpers/stand-ins.js'

const secret = (name: string): string => `${name}-${randomBytes(16).toString('hex')}`
const adminKey = secret('adminkey')
const secrets = {
  authorization: `Bearer ${secret('bearer')}`,
  cookie: `session=${secret('cookie')}`,
  'x-api-key': secret('apikey'),
  'x-delete-token': secret('deletetoken')
}

t.test('credentials in headers and delete tokens in responses never appear in the logs', async t => {
  const dataDir = await tempDir()
  t.teardown(() => dataDir.remove())
  const app = spawnNodeApp({ PORT: '0', DATA_DIR: dataDir.path, LOG_LEVEL: 'trace', ADMIN_API_KEY: adminKey })
  t.teardown(() => { app.child.kill('SIGKILL') })
  const { url: base } = await waitForStartup(app)

  const upload = async (name: string, content: Buffer) => {
    const form = new FormData()
    form.append('file', new Blob([new Uint8Array(content)]), name)
    return fetch(`${base}/upload`, { method: 'POST', body: form, headers: secrets })
  }
  const stored = await upload('image.jpg', fixture('image.jpg'))
  t.equal(stored.status, 201)
  const record = await stored.json() as { id: string, deleteToken: string }
  t.equal((await upload('notes.png', Buffer.from('not an image'))).status, 415)
  t.equal((await fetch(`${base}/gallery/${record.id}`, { headers: secrets })).status, 200)
  t.equal((await fetch(`${base}/nope?x=1`, { headers: secrets })).status, 404)

  const remove = (id: string, headers: Record<string, string>) => fetch(`${base}/images/${id}`, { method: 'DELETE', headers })
  t.equal((await remove(record.id, secrets)).status, 403, 'a wrong token and key are refused')
  const misplaced = secret('querytoken')
  t.equal((await fetch(`${base}/images/${record.id}?token=${misplaced}`, { method: 'DELETE' })).status, 403, 'a token sent in the query string is not read')
  const other = await (await upload('image.png', fixture('image.png'))).json() as { id: string, deleteToken: string }
  t.equal((await remove(other.id, { 'x-api-key': adminKey })).status, 204, 'the admin key deletes')
  t.equal((await remove(record.id, { 'x-delete-token': record.deleteToken })).status, 204, 'the token deletes')

  app.child.kill('SIGTERM')
  t.equal(await app.exited, 0)
  const printed = JSON.stringify(app.logs) + app.stderr()
  t.ok(app.logs.some(line => line['msg'] === 'incoming request'), 'the capture holds the request logs')
  t.ok(app.logs.some(line => line['msg'] === 'image stored' && line['imageId'] === record.id), 'and the upload summary')
  for (const [header, value] of Object.entries(secrets)) {
    const bare = value.replace(/^(Bearer |session=)/, '')
    t.notOk(printed.includes(bare), `the ${header} value is not logged`)
  }
  t.ok(app.logs.some(line => line['msg'] === 'image delete' && line['imageId'] === record.id), 'the capture holds the deletes')
  t.notOk(printed.includes(adminKey), 'the admin key is not logged')
  t.ok(app.logs.some(line => (line['req'] as { method?: string, url?: string } | undefined)?.url === `/images/${record.id}` && (line['req'] as { method?: string }).method === 'DELETE'), 'request lines carry the path')
  t.notOk(printed.includes(misplaced), 'but not the query string, where a client may have put a token by mistake')
  t.notOk(printed.includes(record.deleteToken) || printed.includes(other.deleteToken), 'no delete token is logged')
})
