import { createHash } from 'node:crypto'
import { fixture, largePng } from '../helpers/multipart.js'

const MiB = 1024 * 1024

/** mulberry32: seeded, so a run can be replayed with the seed it printed. */
export function random (seed: number): () => number {
  let state = seed
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let x = Math.imul(state ^ (state >>> 15), 1 | state)
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x
    return ((x ^ (x >>> 14)) >>> 0) / 2 ** 32
  }
}

export interface LoadFile { filename: string, content: Buffer }

export interface Job {
  kind: string
  files: LoadFile[]
  /** A hand-broken body instead of files. */
  raw?: Buffer
  expected: { status: number, code?: string }
}

const SMALL = ['image.jpg', 'image.png', 'image.gif', 'image.webp', 'image.avif', 'image.heic', 'image.tiff', 'image.bmp', 'photo-rotated.jpg']

/** Upload size limit the load run gives the server: big enough for multipart, small enough to refuse cheaply. */
export const LOAD_MAX_UPLOAD_BYTES = 8 * MiB

interface Kind { weight: number, make: (next: () => number) => Job }

const pick = <T>(list: readonly T[], next: () => number): T => list[Math.floor(next() * list.length)]!
const small = (next: () => number): LoadFile => {
  const name = pick(SMALL, next)
  return { filename: name, content: fixture(name) }
}
const sized = (min: number, max: number, next: () => number): number => Math.floor(min + next() * (max - min))

/** The mix: mostly small images, some medium, a few over the S3 part size (multipart), and about one in six refused. */
const KINDS: Record<string, Kind> = {
  small: { weight: 52, make: next => ({ kind: 'small', files: [small(next)], expected: { status: 201 } }) },
  medium: { weight: 20, make: next => ({ kind: 'medium', files: [{ filename: 'medium.png', content: largePng(sized(64 * 1024, 1 * MiB, next)) }], expected: { status: 201 } }) },
  large: { weight: 2, make: next => ({ kind: 'large', files: [{ filename: 'large.png', content: largePng(sized(5.5 * MiB, 7.5 * MiB, next)) }], expected: { status: 201 } }) },
  batch: { weight: 8, make: next => ({ kind: 'batch', files: [small(next), small(next), small(next)], expected: { status: 201 } }) },
  notImage: { weight: 4, make: () => ({ kind: 'notImage', files: [{ filename: 'notes.png', content: Buffer.from('not an image\n'.repeat(50)) }], expected: { status: 415, code: 'UNSUPPORTED_TYPE' } }) },
  truncated: { weight: 4, make: () => ({ kind: 'truncated', files: [{ filename: 'cut.jpg', content: fixture('photo-rotated.jpg').subarray(0, 6000) }], expected: { status: 422, code: 'CORRUPT_IMAGE' } }) },
  empty: { weight: 2, make: () => ({ kind: 'empty', files: [{ filename: 'empty.png', content: Buffer.alloc(0) }], expected: { status: 400, code: 'EMPTY_FILE' } }) },
  bomb: { weight: 2, make: () => ({ kind: 'bomb', files: [{ filename: 'bomb.gif', content: bombGif() }], expected: { status: 422, code: 'TOO_MANY_PIXELS' } }) },
  tooLarge: { weight: 1, make: () => ({ kind: 'tooLarge', files: [{ filename: 'huge.png', content: largePng(LOAD_MAX_UPLOAD_BYTES + 1) }], expected: { status: 413, code: 'FILE_TOO_LARGE' } }) },
  badInBatch: { weight: 3, make: next => ({ kind: 'badInBatch', files: [small(next), small(next), { filename: 'evil.gif', content: Buffer.from('GIF89a/*\x01\x00\x00\x00\x00*/=alert(1)', 'latin1') }], expected: { status: 422, code: 'CORRUPT_IMAGE' } }) },
  malformed: { weight: 2, make: next => ({ kind: 'malformed', files: [], raw: Buffer.concat([Buffer.from('--load\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\n'), small(next).content]), expected: { status: 400, code: 'MULTIPART_MALFORMED' } }) }
}

const WEIGHTED = Object.values(KINDS).flatMap(kind => Array<Kind>(kind.weight).fill(kind))

/** Job number `index` of the run seeded with `seed`: the same job every time. */
export function jobAt (seed: number, index: number): Job {
  const next = random(seed ^ Math.imul(index + 1, 0x9e3779b1))
  return pick(WEIGHTED, next).make(next)
}

function bombGif (): Buffer {
  const gif = Buffer.from(fixture('image.gif'))
  gif.writeUInt16LE(65535, 6)
  gif.writeUInt16LE(65535, 8)
  return gif
}

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')
