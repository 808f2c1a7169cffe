import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

/** 32 random bytes, base64url: handed to the uploader once, never stored. */
export const newDeleteToken = (): string => randomBytes(32).toString('base64url')

/** What the table keeps instead of the token: its SHA-256, hex. */
export const hashSecret = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex')

/**
 * True when `secret` hashes to `expectedHash`. Both sides are fixed-length digests, so
 * timingSafeEqual compares in constant time whatever the caller sent.
 */
export function secretMatches (secret: string | undefined, expectedHash: string | undefined): boolean {
  if (secret === undefined || secret === '' || expectedHash === undefined) return false
  const given = createHash('sha256').update(secret, 'utf8').digest()
  const expected = Buffer.from(expectedHash, 'hex')
  return expected.length === given.length && timingSafeEqual(given, expected)
}
