const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

export const escapeHtml = (value: unknown): string => String(value).replace(/[&<>"']/g, c => ESCAPES[c]!)

/** Marks a string as already-safe HTML so `html` does not escape it again. */
export class SafeHtml {
  constructor (readonly value: string) {}
  toString (): string { return this.value }
}

/** Tagged template that escapes every interpolated value unless it is SafeHtml (or an array of it). */
export function html (strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] ?? ''
  values.forEach((value, i) => {
    const items = Array.isArray(value) ? value : [value]
    out += items.map(v => v instanceof SafeHtml ? v.value : escapeHtml(v ?? '')).join('')
    out += strings[i + 1] ?? ''
  })
  return new SafeHtml(out)
}
