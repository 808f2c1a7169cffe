// Writes a folder as the zip Lambda receives. Pulumi uploads a .zip FileArchive byte for byte
// (it re-zips only folders), so these are the bytes Lambda unpacks. Entries are sorted and
// dated 1980-01-01 with fixed modes: the same folder always makes the same zip, so Pulumi's
// hash of it changes only when the code does. Unix modes 0644/0755 because Lambda runs the code
// as a user other than the files' owner, who must be able to read them.
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { crc32, deflateRawSync } from 'node:zlib'

const DOS_DATE_1980_01_01 = (1 << 5) | 1
const UTF8_NAMES = 0x0800
const MADE_BY_UNIX = (3 << 8) | 20

export function zipFolder (dir: string, zipPath: string): { entries: number, bytes: number } {
  const files = listFiles(dir).sort()
  if (files.length > 0xffff) throw new Error(`${dir}: ${files.length} files need zip64, which this writer does not do`)
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = 0
  for (const path of files) {
    const name = Buffer.from(relative(dir, path).split(sep).join('/'))
    const data = readFileSync(path)
    const deflated = deflateRawSync(data)
    const stored = deflated.length >= data.length
    const body = stored ? data : deflated
    const mode = (statSync(path).mode & 0o111) !== 0 ? 0o755 : 0o644
    const fields = { method: stored ? 0 : 8, crc: crc32(data), compressed: body.length, size: data.length, nameLength: name.length }
    if (offset + body.length > 0xffffffff) throw new Error(`${dir} is over 4 GiB, which needs zip64`)
    locals.push(localHeader(fields), name, body)
    centrals.push(centralHeader(fields, mode, offset), name)
    offset += 30 + name.length + body.length
  }
  const central = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(files.length, 8)
  end.writeUInt16LE(files.length, 10)
  end.writeUInt32LE(central.length, 12)
  end.writeUInt32LE(offset, 16)
  const zip = Buffer.concat([...locals, central, end])
  writeFileSync(zipPath, zip)
  return { entries: files.length, bytes: zip.length }
}

interface EntryFields { method: number, crc: number, compressed: number, size: number, nameLength: number }

function localHeader (f: EntryFields): Buffer {
  const header = Buffer.alloc(30)
  header.writeUInt32LE(0x04034b50, 0)
  header.writeUInt16LE(20, 4)
  header.writeUInt16LE(UTF8_NAMES, 6)
  header.writeUInt16LE(f.method, 8)
  header.writeUInt16LE(0, 10)
  header.writeUInt16LE(DOS_DATE_1980_01_01, 12)
  header.writeUInt32LE(f.crc, 14)
  header.writeUInt32LE(f.compressed, 18)
  header.writeUInt32LE(f.size, 22)
  header.writeUInt16LE(f.nameLength, 26)
  return header
}

function centralHeader (f: EntryFields, mode: number, offset: number): Buffer {
  const header = Buffer.alloc(46)
  header.writeUInt32LE(0x02014b50, 0)
  header.writeUInt16LE(MADE_BY_UNIX, 4)
  header.writeUInt16LE(20, 6)
  header.writeUInt16LE(UTF8_NAMES, 8)
  header.writeUInt16LE(f.method, 10)
  header.writeUInt16LE(0, 12)
  header.writeUInt16LE(DOS_DATE_1980_01_01, 14)
  header.writeUInt32LE(f.crc, 16)
  header.writeUInt32LE(f.compressed, 20)
  header.writeUInt32LE(f.size, 24)
  header.writeUInt16LE(f.nameLength, 28)
  // Regular file with its permission bits, in the high half (Unix external attributes).
  header.writeUInt32LE(((0o100000 | mode) << 16) >>> 0, 38)
  header.writeUInt32LE(offset, 42)
  return header
}

function listFiles (dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const path = join(dir, entry.name)
    return entry.isDirectory() ? listFiles(path) : [path]
  })
}
