/** A source of time in milliseconds, injected so tests can drive it. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number
}

/** The real clock. */
export const systemClock: Clock = Object.freeze({ now: () => Date.now() })

/** A clock that only moves when told to; for tests and simulations. */
export class ManualClock implements Clock {
  #nowMs: number

  /** @param startMs the initial reading, in milliseconds */
  constructor(startMs = 0) {
    this.#nowMs = startMs
  }

  now(): number {
    return this.#nowMs
  }

  /** Moves the clock forward by `ms` milliseconds. */
  advance(ms: number): void {
    this.#nowMs += ms
  }
}
