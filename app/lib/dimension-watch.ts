import { errors } from './errors.js'
import type { Dimensions } from './dimensions.js'
import { Malformed, type DimensionReader } from './header-readers.js'

export interface PixelRules {
  filename: string
  maxPixels: number
}

/**
 * Watches a file's bytes for its dimensions and holds them to the pixel limit: throws
 * TOO_MANY_PIXELS the moment the header says the image is too large, CORRUPT_IMAGE when the
 * header breaks its format's rules, UNREADABLE_IMAGE when it gives no size or the file ends
 * without it. Feed it every byte from the first (or skip to `wantsOffset`).
 */
export class DimensionWatch {
  #checked: Dimensions | undefined

  constructor (
    readonly contentType: string,
    private readonly reader: DimensionReader,
    private readonly rules: PixelRules
  ) {}

  /** The dimensions once read (and within the limit); undefined while still looking. */
  get dimensions (): Dimensions | undefined { return this.#checked }
  /** Where the next byte the reader wants lies: the bytes before it may be skipped. */
  get wantsOffset (): number { return this.reader.wantsOffset }

  /** Goes on at `offset` (at most `wantsOffset`): the bytes before it are not needed. */
  skipTo (offset: number): void { this.reader.skipTo(offset) }

  push (chunk: Buffer): Dimensions | undefined {
    if (!this.reader.done) this.reader.push(chunk)
    // A lower bound already over the limit is enough to refuse.
    const atLeast = this.reader.atLeast
    if (!this.reader.done && atLeast) checkPixels(atLeast, this.rules)
    return this.#settle()
  }

  /** The file ended (or, with `size`, ends there): its dimensions, or why there are none. */
  end (size = this.reader.offset): Dimensions {
    if (this.reader.done) return this.#settle()!
    const wants = this.reader.wantsOffset
    this.reader.end()
    if (this.reader.truncated) {
      const where = wants > this.reader.offset ? ` (the file places it at byte ${wants})` : ''
      throw errors.unreadableImage(this.rules.filename, this.contentType, `the file ends after ${size} bytes, before its header${where}`)
    }
    return this.#settle()!
  }

  #settle (): Dimensions | undefined {
    if (this.#checked || !this.reader.done) return this.#checked
    const found = this.reader.result
    const error = this.reader.error
    if (error instanceof Malformed) throw errors.corruptImage(this.rules.filename, this.contentType, error.message)
    if (!found) throw errors.unreadableImage(this.rules.filename, this.contentType, error?.message ?? 'its dimensions could not be read')
    checkPixels(found, this.rules)
    this.#checked = found
    return found
  }
}

export function checkPixels ({ width, height }: Dimensions, rules: PixelRules): void {
  if (width * height > rules.maxPixels) throw errors.tooManyPixels(rules.filename, width, height, rules.maxPixels)
}
