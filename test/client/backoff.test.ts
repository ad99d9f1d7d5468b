import { describe, expect, it } from 'vitest'
import { backoffDelayMs } from '../../src/client/backoff.js'

const policy = { initialDelayMs: 100, maxDelayMs: 1_000, multiplier: 2 }

describe('backoffDelayMs', () => {
  it('grows the ceiling exponentially up to maxDelayMs', () => {
    const top = () => 0.999_999
    const delays = [0, 1, 2, 3, 4, 10].map((n) =>
      backoffDelayMs(policy, n, top),
    )
    expect(delays).toEqual([99, 199, 399, 799, 999, 999])
  })

  it('draws the whole range from zero (full jitter)', () => {
    expect(backoffDelayMs(policy, 3, () => 0)).toBe(0)
    expect(backoffDelayMs(policy, 3, () => 0.5)).toBe(400)
  })
})
