/**
 * Pushes sent but not yet acknowledged, kept so a client that reconnects can
 * get what it missed. Bounded by count and by bytes; past either bound the
 * buffer is marked overflowed, its content dropped, and the session can no
 * longer resume (the game goes on; only the resume point is lost).
 */
export class ReplayBuffer {
  readonly maxPushes: number
  readonly maxBytes: number
  #seqs: number[] = []
  #bodies: Buffer[] = []
  #head = 0
  #bytes = 0
  #overflowed = false

  constructor(maxPushes: number, maxBytes: number) {
    this.maxPushes = maxPushes
    this.maxBytes = maxBytes
  }

  /** Pushes held now. */
  get size(): number {
    return this.#seqs.length - this.#head
  }

  /** Bytes of push bodies held now. */
  get bytes(): number {
    return this.#bytes
  }

  /** True once the bounds were passed; the session cannot resume. */
  get overflowed(): boolean {
    return this.#overflowed
  }

  /** Keeps one push body; returns false when this overflowed the buffer. */
  add(seq: number, body: Buffer): boolean {
    if (this.#overflowed) return false
    if (
      this.size + 1 > this.maxPushes ||
      this.#bytes + body.length > this.maxBytes
    ) {
      this.#overflowed = true
      this.clear()
      return false
    }
    this.#seqs.push(seq)
    this.#bodies.push(body)
    this.#bytes += body.length
    return true
  }

  /** Forgets every push with a sequence number at or below `seq`. */
  acknowledge(seq: number): void {
    while (this.#head < this.#seqs.length && this.#seqs[this.#head]! <= seq) {
      this.#bytes -= this.#bodies[this.#head]!.length
      this.#head += 1
    }
    if (this.#head === this.#seqs.length) {
      this.#seqs = []
      this.#bodies = []
      this.#head = 0
    } else if (this.#head > 64 && this.#head * 2 > this.#seqs.length) {
      this.#seqs = this.#seqs.slice(this.#head)
      this.#bodies = this.#bodies.slice(this.#head)
      this.#head = 0
    }
  }

  /**
   * The bodies after `seq`, in order, or undefined when the buffer cannot
   * supply all of them (it overflowed, or `seq` is older than what it holds).
   */
  since(seq: number, lastSentSeq: number): Buffer[] | undefined {
    if (this.#overflowed) return undefined
    this.acknowledge(seq)
    const missing = lastSentSeq - seq
    if (missing <= 0) return []
    if (this.size !== missing) return undefined
    return this.#bodies.slice(this.#head)
  }

  /**
   * Re-encodes every body held with `convert`: a session that resumes on a
   * transport speaking another serializer gets its missed pushes in the
   * encoding it now reads.
   */
  transcode(convert: (body: Buffer) => Buffer): void {
    let bytes = 0
    for (let index = this.#head; index < this.#bodies.length; index += 1) {
      const body = convert(this.#bodies[index]!)
      this.#bodies[index] = body
      bytes += body.length
    }
    this.#bytes = bytes
  }

  /** Drops every body held. */
  clear(): void {
    this.#seqs = []
    this.#bodies = []
    this.#head = 0
    this.#bytes = 0
  }
}
