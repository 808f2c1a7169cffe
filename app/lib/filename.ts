const MAX_FILENAME_LENGTH = 255

/**
 * The client's file name, kept only as a label: never used in keys or paths. Strips any
 * directory part (both separators), control and bidi-override characters, and bounds the
 * length while keeping the extension when there is room.
 */
export function sanitizeFilename (raw: string | undefined): string {
  const normalized = (raw ?? '').normalize('NFC')
  const base = normalized.split(/[/\\]/).pop() ?? ''
  const cleaned = base
    // C0/C1 controls, DEL, and bidi/zero-width format characters that disguise extensions
    // eslint-disable-next-line no-control-regex -- removing control characters is the point
    .replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, '')
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
