import type { SessionLimits } from './session-limits.js'
import { TokenBucket } from './token-bucket.js'

/** Quiet time that ends an over-budget spell, in milliseconds. */
const OVER_BUDGET_QUIET_MS = 1_000

/** The limits that make up a session's message budget. */
export type BudgetLimits = Pick<
  SessionLimits,
  'maxMessagesPerSecond' | 'maxBurstMessages' | 'rateLimitCloseAfterMs'
>

/**
 * A session's budget of REQUEST and NOTIFY messages: a token bucket, plus
 * the "over budget" spell that a flood at any multiple of the rate keeps
 * going. A spell ends after a whole second with nothing refused.
 */
export class RateBudget {
  readonly #limits: BudgetLimits
  readonly #bucket: TokenBucket
  #overBudgetSinceMs = -1
  #lastRefusedAtMs = Number.NEGATIVE_INFINITY

  /** @param nowMs the time the bucket starts full */
  constructor(limits: BudgetLimits, nowMs: number) {
    this.#limits = limits
    this.#bucket = new TokenBucket(
      limits.maxMessagesPerSecond,
      limits.maxBurstMessages,
      nowMs,
    )
  }

  /** Counts one message at `nowMs`; false when it is over budget. */
  take(nowMs: number): boolean {
    if (this.#bucket.take(nowMs)) {
      if (nowMs - this.#lastRefusedAtMs >= OVER_BUDGET_QUIET_MS) {
        this.#overBudgetSinceMs = -1
      }
      return true
    }
    this.#lastRefusedAtMs = nowMs
    if (this.#overBudgetSinceMs < 0) this.#overBudgetSinceMs = nowMs
    return false
  }

  /** True once the spell lasted `rateLimitCloseAfterMs` at `nowMs`. */
  exhausted(nowMs: number): boolean {
    return (
      this.#overBudgetSinceMs >= 0 &&
      nowMs - this.#overBudgetSinceMs >= this.#limits.rateLimitCloseAfterMs
    )
  }
}
