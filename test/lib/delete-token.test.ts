import t from 'tap'
import { hashSecret, newDeleteToken, secretMatches } from '../../app/lib/delete-token.js'

t.test('tokens are 32 random bytes, base64url, never twice the same', async t => {
  const tokens = new Set(Array.from({ length: 100 }, newDeleteToken))
  t.equal(tokens.size, 100)
  for (const token of tokens) t.equal(Buffer.from(token, 'base64url').length, 32)
})

t.test('only the token itself matches its hash', async t => {
  const token = newDeleteToken()
  const hash = hashSecret(token)
  t.match(hash, /^[0-9a-f]{64}$/)
  t.not(hash, token)
  t.ok(secretMatches(token, hash))
  for (const wrong of [undefined, '', token.slice(1), token + 'x', newDeleteToken()]) t.notOk(secretMatches(wrong, hash), String(wrong))
  t.notOk(secretMatches(token, undefined), 'an item without a hash matches nothing')
  t.notOk(secretMatches(token, 'abcd'), 'a malformed hash matches nothing (and does not throw)')
})
