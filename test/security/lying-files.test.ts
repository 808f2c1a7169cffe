/**
 * Files whose name and declared type lie about their content. Each is refused with the code
 * that names what is wrong, and nothing is stored. (upload-errors.test.ts has the PDF and the
 * 30000x30000 PNG bomb.)
 */
import t from 'tap'
import { crc32 } from 'node:zlib'
import sharp from 'sharp'
import { buildTestApp } from '../helpers/build-app.js'
import { startEmbeddedStack } from '../helpers/stand-ins.js'
import { fixture, multipartBody } from '../helpers/multipart.js'
import { storedState } from '../helpers/inspect.js'

const stack = await startEmbeddedStack()
t.teardown(() => stack.close())

/** A real zip archive holding one stored file. */
function zipOf (name: string, content: Buffer): Buffer {
  const fileName = Buffer.from(name)
  const local = Buffer.alloc(30)
  local.writeUInt32LE(0x04034b50, 0)
  local.writeUInt16LE(10, 4)
  local.writeUInt32LE(crc32(content), 14)
  local.writeUInt32LE(content.length, 18)
  local.writeUInt32LE(content.length, 22)
  local.writeUInt16LE(fileName.length, 26)
  const central = Buffer.alloc(46)
  central.writeUInt32LE(0x02014b50, 0)
  central.writeUInt16LE(10, 4)
  central.writeUInt16LE(10, 6)
  central.writeUInt32LE(crc32(content), 16)
  central.writeUInt32LE(content.length, 20)
  central.writeUInt32LE(content.length, 24)
  central.writeUInt16LE(fileName.length, 28)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(1, 8)
  end.writeUInt16LE(1, 10)
  end.writeUInt32LE(central.length + fileName.length, 12)
  end.writeUInt32LE(local.length + fileName.length + content.length, 16)
  return Buffer.concat([local, fileName, content, central, fileName, end])
}

const elf = Buffer.concat([Buffer.from('7f454c46020101000000000000000000', 'hex'), Buffer.from('02003e0001000000', 'hex'), Buffer.alloc(4096)])
const html = Buffer.from('<!doctype html><html><body><script>alert(document.cookie)</script></body></html>\n')
const svg = Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="64" height="48"><script>alert(1)</script></svg>\n')
const bareSvg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="64" height="48"/></svg>')
// Valid JavaScript (GIF89a /* ... */ = alert(...)) behind a GIF signature and screen descriptor.
const gifJsPolyglot = Buffer.concat([Buffer.from('GIF89a/*'), Buffer.from([0x01, 0x00, 0x00, 0x00, 0x00]), Buffer.from('*/=alert(document.domain);\n')])
const cut = (bytes: Buffer, fraction: number): Buffer => bytes.subarray(0, Math.floor(bytes.length * fraction))

/** A 1.5 MB PNG of noise, so a cut copy is still longer than the header probe reads (1 MiB). */
async function noisePng (): Promise<Buffer> {
  const pixels = Buffer.alloc(720 * 720 * 3)
  let x = 2463534242
  for (let i = 0; i < pixels.length; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; pixels[i] = x & 0xff }
  return sharp(pixels, { raw: { width: 720, height: 720, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer()
}

/** A GIF whose screen descriptor claims 65535x65535 pixels. */
function gifBomb (): Buffer {
  const gif = Buffer.from(fixture('image.gif'))
  gif.writeUInt16LE(65535, 6)
  gif.writeUInt16LE(65535, 8)
  return gif
}

const cases: Array<{ name: string, filename: string, type: string, content: () => Buffer | Promise<Buffer>, status: number, code: string, message: RegExp }> = [
  { name: 'an ELF binary', filename: 'photo.png', type: 'image/png', content: () => elf, status: 415, code: 'UNSUPPORTED_TYPE', message: /detected application\/x-elf/ },
  { name: 'HTML with a script', filename: 'photo.png', type: 'image/png', content: () => html, status: 415, code: 'UNSUPPORTED_TYPE', message: /detected application\/octet-stream/ },
  { name: 'an SVG with a script', filename: 'photo.jpg', type: 'image/jpeg', content: () => svg, status: 415, code: 'UNSUPPORTED_TYPE', message: /detected application\/xml/ },
  { name: 'a bare SVG with an onload handler', filename: 'photo.gif', type: 'image/svg+xml', content: () => bareSvg, status: 415, code: 'UNSUPPORTED_TYPE', message: /detected application\/octet-stream/ },
  { name: 'a zip archive', filename: 'photo.jpg', type: 'image/jpeg', content: () => zipOf('a.png', fixture('image.png')), status: 415, code: 'UNSUPPORTED_TYPE', message: /detected application\/zip/ },
  { name: 'a GIF/JavaScript polyglot', filename: 'photo.gif', type: 'image/gif', content: () => gifJsPolyglot, status: 422, code: 'CORRUPT_IMAGE', message: /image\/gif file: byte 0x2a stands where a block should start/ },
  { name: 'a GIF claiming 65535x65535 pixels', filename: 'bomb.gif', type: 'image/gif', content: gifBomb, status: 422, code: 'TOO_MANY_PIXELS', message: /65535x65535/ },
  { name: 'a truncated JPEG', filename: 'cut.jpg', type: 'image/jpeg', content: () => cut(fixture('photo-rotated.jpg'), 0.6), status: 422, code: 'CORRUPT_IMAGE', message: /truncated/ },
  { name: 'a JPEG missing only its last byte', filename: 'cut.jpg', type: 'image/jpeg', content: () => cut(fixture('image.jpg'), (fixture('image.jpg').length - 1) / fixture('image.jpg').length), status: 422, code: 'CORRUPT_IMAGE', message: /truncated/ },
  { name: 'a truncated PNG', filename: 'cut.png', type: 'image/png', content: () => cut(fixture('image.png'), 0.5), status: 422, code: 'CORRUPT_IMAGE', message: /truncated/ },
  { name: 'a truncated 1.5 MB PNG, cut past the header probe', filename: 'cut.png', type: 'image/png', content: async () => cut(await noisePng(), 0.9), status: 422, code: 'CORRUPT_IMAGE', message: /truncated/ },
  { name: 'a truncated GIF', filename: 'cut.gif', type: 'image/gif', content: () => cut(fixture('image.gif'), 0.5), status: 422, code: 'CORRUPT_IMAGE', message: /truncated/ },
  { name: 'a truncated WebP', filename: 'cut.webp', type: 'image/webp', content: () => cut(fixture('image.webp'), 0.7), status: 422, code: 'CORRUPT_IMAGE', message: /truncated/ },
  { name: 'a truncated AVIF', filename: 'cut.avif', type: 'image/avif', content: () => cut(fixture('image.avif'), 0.8), status: 422, code: 'CORRUPT_IMAGE', message: /truncated/ },
  { name: 'a PNG whose chunks turn to garbage', filename: 'bad.png', type: 'image/png', content: () => Buffer.concat([fixture('image.png').subarray(0, 33), Buffer.from('\x00\x00\x00\x10<script>alert(1)</script>')]), status: 422, code: 'CORRUPT_IMAGE', message: /chunk header is invalid/ }
]

for (const c of cases) {
  t.test(`${c.name} named ${c.filename}: ${c.status} ${c.code}, nothing stored`, async t => {
    const { app, config, clients } = await buildTestApp(t, stack.endpoints)
    const res = await app.inject({ method: 'POST', url: '/upload', ...await multipartBody([{ filename: c.filename, content: await c.content(), type: c.type }]) })
    t.equal(res.statusCode, c.status)
    t.match(res.json(), { code: c.code, message: c.message })
    t.match(res.json().message, c.filename)
    t.same(await storedState(clients, config), { keys: [], items: [] })
  })
}

t.test('the whole noise PNG the truncated case is cut from is accepted (the check does not refuse real images)', async t => {
  const { app } = await buildTestApp(t, stack.endpoints)
  const png = await noisePng()
  const res = await app.inject({ method: 'POST', url: '/upload', ...await multipartBody([{ filename: 'noise.png', content: png }]) })
  t.equal(res.statusCode, 201)
  t.equal(res.json().size, png.length)
})
