/**
 * Drives a parser written as a generator over a stream delivered in chunks of any size: the
 * parser says what it wants next and receives exactly that, so it holds only the few bytes it
 * asked to read, never the stream. Used by the structure checks and the header readers.
 */

/** What a walker wants next: bytes to look at, bytes to pass over, or the next byte equal to `find`. */
export type Need = { read: number, endOk?: boolean } | { skip: number } | { find: number }
/** A walker receives the bytes it asked to read; an empty buffer means the stream ended where endOk allowed it. */
export type Walker<Result = void> = Generator<Need, Result, Buffer>

export class WalkerDriver<Result> {
  #walker: Walker<Result>
  #need: Need | undefined
  #partial: Buffer[] = []
  #partialLength = 0
  #offset = 0
  #done = false
  #result: Result | undefined
  #error: Error | undefined
  #truncated = false

  constructor (walker: Walker<Result>) {
    this.#walker = walker
    this.#resume(Buffer.alloc(0))
  }

  /** True once the walker returned (see `result`) or threw (see `problem`). */
  get done (): boolean { return this.#done }
  get result (): Result | undefined { return this.#result }
  get problem (): string | undefined { return this.#error?.message }
  /** What the walker threw, for callers that tell kinds of problem apart. */
  get error (): Error | undefined { return this.#error }
  /** True when the problem is that the stream ended while the walker still wanted bytes. */
  get truncated (): boolean { return this.#truncated }
  /** Bytes of the stream seen (or skipped) so far. */
  get offset (): number { return this.#offset }
  /** Where in the stream the next byte the walker cares about lies (past a pending skip). */
  get wantsOffset (): number {
    const need = this.#need
    return this.#offset + (need && 'skip' in need ? need.skip : 0)
  }

  /** Passes over the bytes up to `offset` without their being pushed; only as far as `wantsOffset`. */
  skipTo (offset: number): void {
    const need = this.#need
    if (offset === this.#offset) return
    if (!need || !('skip' in need) || offset < this.#offset || offset > this.wantsOffset) {
      throw new Error(`cannot skip from ${this.#offset} to ${offset}`)
    }
    need.skip -= offset - this.#offset
    this.#offset = offset
    if (need.skip === 0) this.#resume(Buffer.alloc(0))
  }

  push (chunk: Buffer): void {
    let at = 0
    while (this.#need && at < chunk.length) {
      const need = this.#need
      if ('skip' in need) {
        const n = Math.min(need.skip, chunk.length - at)
        need.skip -= n
        at += n
        this.#offset += n
        if (need.skip === 0) this.#resume(Buffer.alloc(0))
      } else if ('find' in need) {
        const found = chunk.indexOf(need.find, at)
        const next = found === -1 ? chunk.length : found + 1
        this.#offset += next - at
        at = next
        if (found !== -1) this.#resume(chunk.subarray(found, found + 1))
      } else {
        const n = Math.min(need.read - this.#partialLength, chunk.length - at)
        this.#partial.push(chunk.subarray(at, at + n))
        this.#partialLength += n
        at += n
        this.#offset += n
        if (this.#partialLength === need.read) {
          const bytes = Buffer.concat(this.#partial, this.#partialLength)
          this.#partial = []
          this.#partialLength = 0
          this.#resume(bytes)
        }
      }
    }
    this.#offset += chunk.length - at
  }

  /** The stream ended: a walker still waiting gets its problem, unless it may end here. */
  end (): void {
    const need = this.#need
    if (need && 'read' in need && need.endOk && this.#partialLength === 0) this.#resume(Buffer.alloc(0))
    if (this.#done) return
    this.#truncated = true
    this.#fail(new Error(`it ends after ${this.#offset} bytes, before its data does (truncated?)`))
  }

  #resume (value: Buffer): void {
    try {
      let next = this.#walker.next(value)
      // A zero-byte skip is satisfied at once, even at the very end of the stream.
      while (!next.done && 'skip' in next.value && next.value.skip === 0) next = this.#walker.next(Buffer.alloc(0))
      if (next.done) {
        this.#need = undefined
        this.#done = true
        this.#result = next.value
      } else {
        this.#need = { ...next.value }
      }
    } catch (err) {
      this.#fail(err as Error)
    }
  }

  #fail (error: Error): void {
    this.#need = undefined
    this.#done = true
    this.#error = error
  }
}
