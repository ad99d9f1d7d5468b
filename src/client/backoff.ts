/** How reconnect delays grow. */
export interface BackoffPolicy {
  /** Ceiling of the first delay, in milliseconds. */
  readonly initialDelayMs: number
  /** Largest ceiling any delay may have, in milliseconds. */
  readonly maxDelayMs: number
  /** Factor by which the ceiling grows per failed attempt. */
  readonly multiplier: number
}

/**
 * Exponential backoff with full jitter: the delay before attempt `attempt`
 * (0 for the first) is uniform in [0, min(maxDelayMs, initialDelayMs *
 * multiplier^attempt)). Full jitter spreads a crowd of clients that lost
 * the same server, so they do not all come back in the same instant.
 */
export function backoffDelayMs(
  policy: BackoffPolicy,
  attempt: number,
  random: () => number,
): number {
  const growth = policy.multiplier ** Math.min(attempt, 64)
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * growth)
  return Math.floor(random() * ceiling)
}
