import t from 'tap'
import { checkStructure } from '../../app/lib/image-structure.js'
import { fixture } from '../helpers/multipart.js'

const walked = [
  { file: 'image.jpg', type: 'image/jpeg' },
  { file: 'photo-rotated.jpg', type: 'image/jpeg' },
  { file: 'image.png', type: 'image/png' },
  { file: 'image.gif', type: 'image/gif' },
  { file: 'image.webp', type: 'image/webp' },
  { file: 'image.bmp', type: 'image/bmp' },
  { file: 'image.avif', type: 'image/avif' },
  { file: 'image.heic', type: 'image/heic' }
]

/** Runs the check over `bytes` delivered in chunks of `size`; returns the problem, if any. */
function problemOf (type: string, bytes: Buffer, size = bytes.length): string | undefined {
  const check = checkStructure(type)
  for (let i = 0; i < bytes.length; i += size) {
    const problem = check.push(bytes.subarray(i, i + size))
    if (problem) return problem
  }
  return check.end()
}

/** Offsets where an ISO BMFF file may end: box boundaries, which look complete by design. */
function boxBoundaries (bytes: Buffer): Set<number> {
  const ends = new Set<number>()
  for (let at = 0; at + 8 <= bytes.length; at += bytes.readUInt32BE(at)) ends.add(at)
  return ends
}

for (const { file, type } of walked) {
  t.test(`${file}: whole in any chunking, truncated at every length`, async t => {
    const bytes = fixture(file)
    for (const size of [1, 2, 3, 7, 64, bytes.length]) t.equal(problemOf(type, bytes, size), undefined, `whole, ${size}-byte chunks`)
    const allowed = type.startsWith('image/avi') || type.startsWith('image/hei') ? boxBoundaries(bytes) : new Set<number>()
    const missed: number[] = []
    for (let length = 1; length < bytes.length; length++) {
      if (!allowed.has(length) && problemOf(type, bytes.subarray(0, length), 5) === undefined) missed.push(length)
    }
    t.same(missed, [], 'every cut is reported')
  })
}

t.test('bytes after the end marker are allowed (cameras append data after a JPEG)', async t => {
  for (const { file, type } of walked.filter(w => !w.type.startsWith('image/avi') && !w.type.startsWith('image/hei'))) {
    t.equal(problemOf(type, Buffer.concat([fixture(file), Buffer.alloc(5000, 0xab)]), 100), undefined, file)
  }
})

t.test('a structural error is reported as soon as it is seen, with what was wrong', async t => {
  const check = checkStructure('image/gif')
  t.match(check.push(Buffer.from('GIF89a/*\x01\x00\x00\x00\x00*/=alert(1)', 'latin1')), /byte 0x2a stands where a block should start/)
  t.match(checkStructure('image/png').push(Buffer.concat([fixture('image.png').subarray(0, 33), Buffer.from('\x00\x00\x00\x01<!--')])), /chunk header is invalid/)
  t.match(problemOf('image/jpeg', Buffer.from('ffd8ffe00001', 'hex')), /segment length is invalid/)
  t.match(problemOf('image/webp', Buffer.from('RIFF\x02\x00\x00\x00WEBP', 'latin1')), /RIFF size is invalid/)
})

t.test('a truncation report says how many bytes arrived', async t => {
  t.equal(problemOf('image/png', fixture('image.png').subarray(0, 100)), 'it ends after 100 bytes, before its data does (truncated?)')
})

t.test('TIFF and unknown types are not walked', async t => {
  t.equal(problemOf('image/tiff', fixture('image.tiff').subarray(0, 100)), undefined)
  t.equal(problemOf('application/octet-stream', Buffer.from('x')), undefined)
})
