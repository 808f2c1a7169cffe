/**
 * Assembles a HEIC whose primary image is a grid of tiles, the way phones write photos, from
 * single-image HEIC files (one per tile, same size and encoder settings, row by row) that
 * heif-enc made: heif-enc 1.15 cannot write grids itself. Used by make-corpus.sh:
 *   tsx heif-grid.ts --columns 3 --rows 2 --width 190 --height 124 [--irot 0-3] -o out.heic tile...
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'

interface Box { type: string, start: number, body: number, end: number }

function * boxes (bytes: Buffer, from: number, to: number): Generator<Box> {
  for (let at = from; at + 8 <= to;) {
    let size = bytes.readUInt32BE(at)
    const type = bytes.toString('latin1', at + 4, at + 8)
    let body = at + 8
    if (size === 1) { size = Number(bytes.readBigUInt64BE(at + 8)); body += 8 }
    if (size === 0) size = to - at
    yield { type, start: at, body, end: at + size }
    at += size
  }
}

const child = (bytes: Buffer, parent: Box, type: string, parentIsFullBox = false): Box => {
  for (const box of boxes(bytes, parent.body + (parentIsFullBox ? 4 : 0), parent.end)) if (box.type === type) return box
  throw new Error(`no ${type} box`)
}

const readSized = (bytes: Buffer, at: number, size: number): number =>
  size === 0 ? 0 : size === 2 ? bytes.readUInt16BE(at) : size === 4 ? bytes.readUInt32BE(at) : Number(bytes.readBigUInt64BE(at))

/** The coded data and the property boxes of a file's primary item. */
function readTile (bytes: Buffer): { data: Buffer, properties: Buffer[] } {
  const meta = child(bytes, { type: 'file', start: 0, body: 0, end: bytes.length }, 'meta')
  const pitm = child(bytes, meta, 'pitm', true)
  const primary = bytes.readUInt8(pitm.body) === 0 ? bytes.readUInt16BE(pitm.body + 4) : bytes.readUInt32BE(pitm.body + 4)

  const iloc = child(bytes, meta, 'iloc', true)
  const version = bytes.readUInt8(iloc.body)
  let at = iloc.body + 4
  const offsetSize = bytes.readUInt8(at) >> 4
  const lengthSize = bytes.readUInt8(at) & 15
  const baseOffsetSize = bytes.readUInt8(at + 1) >> 4
  const indexSize = version > 0 ? bytes.readUInt8(at + 1) & 15 : 0
  at += 2
  const itemCount = version < 2 ? bytes.readUInt16BE(at) : bytes.readUInt32BE(at)
  at += version < 2 ? 2 : 4
  let data: Buffer | undefined
  for (let i = 0; i < itemCount; i++) {
    const id = version < 2 ? bytes.readUInt16BE(at) : bytes.readUInt32BE(at)
    at += version < 2 ? 2 : 4
    if (version > 0) at += 2 // construction method: heif-enc stores tiles in mdat (0)
    at += 2 // data reference index
    const base = readSized(bytes, at, baseOffsetSize)
    at += baseOffsetSize
    const extents: Buffer[] = []
    const extentCount = bytes.readUInt16BE(at)
    at += 2
    for (let e = 0; e < extentCount; e++) {
      at += indexSize
      const offset = readSized(bytes, at, offsetSize)
      const length = readSized(bytes, at + offsetSize, lengthSize)
      at += offsetSize + lengthSize
      extents.push(bytes.subarray(base + offset, base + offset + length))
    }
    if (id === primary) data = Buffer.concat(extents)
  }
  if (!data) throw new Error('no location for the primary item')

  const iprp = child(bytes, meta, 'iprp', true)
  const ipco = [...boxes(bytes, child(bytes, iprp, 'ipco').body, child(bytes, iprp, 'ipco').end)]
  const ipma = child(bytes, iprp, 'ipma')
  const ipmaVersion = bytes.readUInt8(ipma.body)
  const wideIndex = (bytes.readUInt8(ipma.body + 3) & 1) === 1
  at = ipma.body + 4
  const properties: Buffer[] = []
  for (let entries = bytes.readUInt32BE(at), i = 0, next = at + 4; i < entries; i++) {
    const id = ipmaVersion < 1 ? bytes.readUInt16BE(next) : bytes.readUInt32BE(next)
    next += ipmaVersion < 1 ? 2 : 4
    const count = bytes.readUInt8(next++)
    for (let a = 0; a < count; a++) {
      const index = wideIndex ? bytes.readUInt16BE(next) & 0x7fff : bytes.readUInt8(next) & 0x7f
      next += wideIndex ? 2 : 1
      const box = ipco[index - 1]
      if (id === primary && box) properties.push(bytes.subarray(box.start, box.end))
    }
  }
  return { data, properties }
}

const u8 = (n: number): Buffer => Buffer.from([n])
const u16 = (n: number): Buffer => { const b = Buffer.alloc(2); b.writeUInt16BE(n); return b }
const u32 = (n: number): Buffer => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b }
const box = (type: string, ...parts: Buffer[]): Buffer => {
  const body = Buffer.concat(parts)
  return Buffer.concat([u32(8 + body.length), Buffer.from(type, 'latin1'), body])
}
const fullBox = (type: string, version: number, flags: number, ...parts: Buffer[]): Buffer =>
  box(type, u8(version), u8(flags >> 16), u16(flags & 0xffff), ...parts)

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    columns: { type: 'string' },
    rows: { type: 'string' },
    width: { type: 'string' },
    height: { type: 'string' },
    irot: { type: 'string', default: '0' },
    output: { type: 'string', short: 'o' }
  }
})
const [columns, rows, width, height, irot] = [values.columns, values.rows, values.width, values.height, values.irot].map(Number) as [number, number, number, number, number]
if (positionals.length !== columns * rows || !values.output) throw new Error('give columns x rows tile files and -o')
const tiles = positionals.map(file => readTile(readFileSync(file)))

// Properties shared by identical bytes; ipco indexes start at 1.
const ipco: Buffer[] = []
const indexOf = (property: Buffer): number => {
  const found = ipco.findIndex(known => known.equals(property))
  if (found !== -1) return found + 1
  ipco.push(property)
  return ipco.length
}
const GRID_ID = 1
const tileAssociations = tiles.map(tile => tile.properties.map(property => ({ index: indexOf(property), essential: property.toString('latin1', 4, 8) === 'hvcC' })))
const gridAssociations = [{ index: indexOf(fullBox('ispe', 0, 0, u32(width), u32(height))), essential: false }]
if (irot) gridAssociations.push({ index: indexOf(box('irot', u8(irot))), essential: true })

const associate = (id: number, list: Array<{ index: number, essential: boolean }>): Buffer =>
  Buffer.concat([u16(id), u8(list.length), ...list.map(({ index, essential }) => u8((essential ? 0x80 : 0) | index))])
const tileIds = tiles.map((_, i) => GRID_ID + 1 + i)
const gridDescriptor = Buffer.concat([u8(0), u8(0), u8(rows - 1), u8(columns - 1), u16(width), u16(height)])

function meta (mdatStart: number): Buffer {
  let offset = mdatStart
  const locations = tiles.map((tile, i) => {
    const entry = Buffer.concat([u16(tileIds[i]!), u16(0), u16(0), u16(1), u32(offset), u32(tile.data.length)])
    offset += tile.data.length
    return entry
  })
  return fullBox('meta', 0, 0,
    fullBox('hdlr', 0, 0, u32(0), Buffer.from('pict'), Buffer.alloc(12), u8(0)),
    fullBox('pitm', 0, 0, u16(GRID_ID)),
    fullBox('iinf', 0, 0, u16(1 + tiles.length),
      fullBox('infe', 2, 0, u16(GRID_ID), u16(0), Buffer.from('grid'), u8(0)),
      ...tileIds.map(id => fullBox('infe', 2, 1, u16(id), u16(0), Buffer.from('hvc1'), u8(0)))),
    fullBox('iref', 0, 0, box('dimg', u16(GRID_ID), u16(tiles.length), ...tileIds.map(u16))),
    box('iprp', box('ipco', ...ipco), fullBox('ipma', 0, 0, u32(1 + tiles.length),
      associate(GRID_ID, gridAssociations), ...tiles.map((_, i) => associate(tileIds[i]!, tileAssociations[i]!)))),
    box('idat', gridDescriptor),
    fullBox('iloc', 1, 0, u8(0x44), u8(0x00), u16(1 + tiles.length),
      u16(GRID_ID), u16(1), u16(0), u16(1), u32(0), u32(gridDescriptor.length), ...locations))
}

const ftyp = box('ftyp', Buffer.from('heic'), u32(0), Buffer.from('mif1heicmiaf'))
const metaLength = meta(0).length
const mdat = box('mdat', ...tiles.map(tile => tile.data))
writeFileSync(values.output, Buffer.concat([ftyp, meta(ftyp.length + metaLength + 8), mdat]))
