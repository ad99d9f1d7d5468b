/**
 * Runs handshakes a few at a time, one batch per event-loop turn. A storm
 * of thousands of HELLOs arriving together would otherwise be handled in
 * one turn, and every player already in a game would wait behind it; here
 * their messages are served between batches while the storm drains.
 */
export class HandshakeQueue {
  readonly maxPerTurn: number
  #jobs: Array<() => void> = []
  #head = 0
  #scheduled = false

  /** @param maxPerTurn handshakes started per event-loop turn */
  constructor(maxPerTurn: number) {
    this.maxPerTurn = maxPerTurn
  }

  /** Handshakes waiting now. */
  get size(): number {
    return this.#jobs.length - this.#head
  }

  /** Queues one handshake; it starts on this turn's batch or a later one. */
  push(job: () => void): void {
    this.#jobs.push(job)
    if (!this.#scheduled) {
      this.#scheduled = true
      setImmediate(this.#run)
    }
  }

  readonly #run = (): void => {
    const end = Math.min(this.#head + this.maxPerTurn, this.#jobs.length)
    while (this.#head < end) {
      const job = this.#jobs[this.#head] as () => void
      this.#head += 1
      job()
    }
    if (this.#head < this.#jobs.length) {
      setImmediate(this.#run)
      return
    }
    this.#jobs = []
    this.#head = 0
    this.#scheduled = false
  }
}
