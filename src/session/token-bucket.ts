/**
 * A token bucket: `ratePerSecond` tokens refill each second up to `burst`.
 * Time comes from the caller, so it needs no timer and tests drive it.
 */
export class TokenBucket {
  readonly ratePerSecond: number
  readonly burst: number
  #tokens: number
  #updatedAtMs: number

  constructor(ratePerSecond: number, burst: number, nowMs: number) {
    this.ratePerSecond = ratePerSecond
    this.burst = burst
    this.#tokens = burst
    this.#updatedAtMs = nowMs
  }

  /** Takes one token; returns false when the bucket is empty. */
  take(nowMs: number): boolean {
    const elapsedMs = nowMs - this.#updatedAtMs
    if (elapsedMs > 0) {
      const refill = (elapsedMs * this.ratePerSecond) / 1000
      this.#tokens = Math.min(this.burst, this.#tokens + refill)
      this.#updatedAtMs = nowMs
    }
    if (this.#tokens < 1) return false
    this.#tokens -= 1
    return true
  }
}
