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

t.test('a token is refused unless every byte of its hash matches', async t => {
  const token = newDeleteToken()
  const hash = hashSecret(token)
  for (let length = 1; length < token.length; length += 7) {
    t.notOk(secretMatches(token.slice(0, length), hash), `a ${length}-character prefix of the token`)
  }
  const digest = Buffer.from(hash, 'hex')
  for (let i = 0; i < digest.length; i++) {
    const changed = Buffer.from(digest)
    changed[i]! ^= 0x01
    t.notOk(secretMatches(token, changed.toString('hex')), `the stored hash with byte ${i} changed`)
  }
  t.notOk(secretMatches(hash, hash), 'the hash itself is not a token (someone who can read the table cannot delete)')
  t.ok(secretMatches(token, hash.toUpperCase()), 'the stored hash is read as hex, whatever its case')
})
