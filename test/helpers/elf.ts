import { openSync, readSync, closeSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

/** e_machine values of the ELF header: what CPU a shared object was built for. */
export const ELF_MACHINES: Record<number, string> = { 62: 'x86_64', 183: 'arm64' }

/** The CPU an ELF file (.node addon, .so library) was built for, from its header. */
export function elfMachine (path: string): string {
  const header = Buffer.alloc(20)
  const fd = openSync(path, 'r')
  try {
    readSync(fd, header, 0, 20, 0)
  } finally {
    closeSync(fd)
  }
  if (header.readUInt32BE(0) !== 0x7f454c46) throw new Error(`${path} is not an ELF file`)
  const machine = header[5] === 1 ? header.readUInt16LE(18) : header.readUInt16BE(18)
  return ELF_MACHINES[machine] ?? `e_machine ${machine}`
}

/** Every native binary under dir: .node addons and .so libraries (versioned names included). */
export function nativeBinaries (dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter(entry => entry.isFile() && /\.node$|\.so(\.\d+)*$/.test(entry.name))
    .map(entry => join(entry.parentPath, entry.name))
}
