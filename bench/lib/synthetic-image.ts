import { createHash } from 'node:crypto'
import { crc32, deflateSync } from 'node:zlib'

const CHUNK = 64 * 1024
const POOL = 4 * 1024 * 1024

/** A complete, valid 64x48 grey PNG: what the app sniffs and probes for dimensions. */
export function tinyPng (width = 64, height = 48): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data])
    const framed = Buffer.alloc(body.length + 8)
    framed.writeUInt32BE(data.length, 0)
    body.copy(framed, 4)
    framed.writeUInt32BE(crc32(body), body.length + 4)
    return framed
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr.set([8, 0, 0, 0, 0], 8) // 8-bit greyscale, deflate, no interlace
  const rows = Buffer.alloc((width + 1) * height, 0x80)
  for (let y = 0; y < height; y++) rows[y * (width + 1)] = 0 // filter byte
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))
  ])
}

let pool: Buffer | undefined
/** 4 MiB of seeded xorshift32 output: random enough that no layer can compress it. */
function randomPool (): Buffer {
  if (pool) return pool
  pool = Buffer.alloc(POOL + CHUNK)
  let x = 0x9e3779b9
  for (let i = 0; i < pool.length; i += 4) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5
    pool.writeUInt32LE(x >>> 0, i)
  }
  return pool
}

/**
 * `size` bytes: a real PNG, then deterministic pseudo-random filler (a PNG with trailing
 * junk, which the app accepts). Chunks are views of one shared pool, so producing a gigabyte
 * costs no allocation and no CPU; consecutive chunks start at different pool offsets.
 */
export function * syntheticImage (size: number): Generator<Buffer> {
  const head = tinyPng()
  if (size < head.length) throw new Error(`size ${size} is smaller than the PNG header`)
  yield head
  const source = randomPool()
  let left = size - head.length
  for (let i = 0; left > 0; i++) {
    const length = Math.min(CHUNK, left)
    const offset = (i * 7919 * 16) % POOL
    yield source.subarray(offset, offset + length)
    left -= length
  }
}

const digests = new Map<number, string>()
/** sha256 of syntheticImage(size), computed once per size, outside any timed section. */
export function syntheticSha256 (size: number): string {
  let digest = digests.get(size)
  if (!digest) {
    const hash = createHash('sha256')
    for (const chunk of syntheticImage(size)) hash.update(chunk)
    digest = hash.digest('hex')
    digests.set(size, digest)
  }
  return digest
}
