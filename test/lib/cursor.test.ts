import t from 'tap'
import { decodeCursor, encodeCursor } from '../../app/lib/cursor.js'

const key = { id: '0b68bff1-9d26-4011-8c68-b6bc862c09ef', kind: 'image', uploadedAt: '2026-11-25T06:40:47.454Z' }

t.test('a cursor round-trips the key and is URL-safe', async t => {
  const cursor = encodeCursor(key)
  t.match(cursor, /^[A-Za-z0-9_-]+$/)
  t.same(decodeCursor(cursor), key)
  t.same(decodeCursor(encodeCursor({ ...key, extra: 1 } as typeof key)), key, 'only the three key fields are encoded')
})

t.test('anything else decodes to undefined', async t => {
  const b64 = (value: string) => Buffer.from(value).toString('base64url')
  for (const cursor of ['', '====', 'a b', b64('{'), b64('"string"'), b64('{"id":1}'), b64(JSON.stringify({ ...key, id: key.id.toUpperCase() })), 'A'.repeat(513)]) {
    t.equal(decodeCursor(cursor), undefined, JSON.stringify(cursor.slice(0, 40)))
  }
})
