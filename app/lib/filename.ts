const MAX_FILENAME_LENGTH = 255

/**
 * The client's file name, kept only as a label: never used in keys or paths. Strips any
 * directory part (both separators), control, format and separator characters, and bounds the
 * length while keeping the extension when there is room.
 */
export function sanitizeFilename (raw: string | undefined): string {
  const normalized = (raw ?? '').normalize('NFC')
  const base = normalized.split(/[/\\]/).pop() ?? ''
  const cleaned = base
    // By Unicode category, not by a list: controls (Cc), format characters (Cf: bidi overrides,
    // zero-width and invisible characters, soft hyphens, tags) and line/paragraph separators
    // (Zl, Zp) can disguise an extension or break a header or a log line. The whole tag block
    // goes, its unassigned code points too.
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\u{E0000}-\u{E007F}]/gu, '')
    .replace(/^[\s.]+/, '')
    .trim()
  if (cleaned === '') return 'unnamed'
  return truncate(cleaned, MAX_FILENAME_LENGTH)
}

function truncate (name: string, max: number): string {
  const chars = Array.from(name)
  if (chars.length <= max) return name
  const dot = name.lastIndexOf('.')
  const ext = dot > 0 ? Array.from(name.slice(dot)) : []
  if (ext.length > 0 && ext.length <= 16) {
    return chars.slice(0, max - ext.length).join('') + ext.join('')
  }
  return chars.slice(0, max).join('')
}
