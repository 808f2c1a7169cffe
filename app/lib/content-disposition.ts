/**
 * A Content-Disposition value for a stored image, safe whatever the file name holds: a plain
 * ASCII `filename` for old clients (quotes, backslashes, percent signs and anything outside
 * printable ASCII replaced) and the exact name in RFC 8187 `filename*`. Neither part can carry
 * CR, LF or a quote, so the header cannot be split or extended.
 */
export function contentDisposition (filename: string, type: 'inline' | 'attachment' = 'inline'): string {
  const name = wellFormed(filename)
  return `${type}; filename="${asciiFallback(name)}"; filename*=UTF-8''${encodeRfc8187(name)}`
}

/** Lone surrogates would make encodeURIComponent throw; they become U+FFFD (String#toWellFormed is ES2024). */
const wellFormed = (value: string): string =>
  value.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')

function asciiFallback (name: string): string {
  const ascii = name
    .normalize('NFKD')
    // Combining marks left by NFKD (é -> e + U+0301) go; anything else non-ASCII becomes _.
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]|["\\%]/g, '_')
    .trim()
  return ascii === '' ? 'image' : ascii
}

/** encodeURIComponent leaves ' ( ) * unescaped, which RFC 8187's attr-char does not allow. */
function encodeRfc8187 (name: string): string {
  return encodeURIComponent(name).replace(/['()*]/g, c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

/** The download name of a variant: the original's name with the variant and its own extension. */
export function variantFilename (filename: string, variant: string, extension: string): string {
  const dot = filename.lastIndexOf('.')
  const base = dot > 0 ? filename.slice(0, dot) : filename
  return `${base}-${variant}.${extension}`
}
