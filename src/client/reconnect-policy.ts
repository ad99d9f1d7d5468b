import { backoffDelayMs } from './backoff.js'
import type { ResolvedClientOptions } from './client-options.js'
import { unref } from './unref.js'

/** How long a session must stay open before backoff starts over, in ms. */
const STABLE_SESSION_MS = 5_000

/**
 * Close codes after which reconnecting can help (PROTOCOL.md section 5).
 * 1005 and 1006 mean the connection ended without a close code.
 */
const RECONNECT_CODES: ReadonlySet<number> = new Set([
  1001, 1005, 1006, 1011, 1013, 4003, 4004, 4008, 4029,
])

/** The options that decide whether and when to reconnect. */
export type ReconnectOptionsUsed = Pick<
  ResolvedClientOptions,
  'reconnect' | 'backoff' | 'maxReconnectAttempts' | 'random'
>

/**
 * Decides whether a lost connection is tried again and after how long,
 * counts the attempts since the last open session, and holds the timer of
 * the attempt that waits.
 */
export class ReconnectPolicy {
  readonly #options: ReconnectOptionsUsed
  #attempt = 0
  #stableTimer: ReturnType<typeof setTimeout> | undefined
  #timer: ReturnType<typeof setTimeout> | undefined

  /** @param options the client's resolved options */
  constructor(options: ReconnectOptionsUsed) {
    this.#options = options
  }

  /** Attempts since the last open session. */
  get attempt(): number {
    return this.#attempt
  }

  /** True when a connection that ended with `code` is worth retrying. */
  allows(code: number): boolean {
    return this.#options.reconnect && RECONNECT_CODES.has(code)
  }

  /**
   * Counts one more attempt and returns its delay in ms: backoff with full
   * jitter, but never sooner than the server's `retryAfterMs`. Undefined,
   * counting nothing, once `maxReconnectAttempts` were made.
   */
  nextDelayMs(retryAfterMs: number | null): number | undefined {
    const options = this.#options
    if (this.#attempt >= options.maxReconnectAttempts) return undefined
    const jittered = backoffDelayMs(
      options.backoff,
      this.#attempt,
      options.random,
    )
    this.#attempt += 1
    return Math.max(jittered, retryAfterMs ?? 0)
  }

  /** Starts counting from the first attempt again. */
  reset(): void {
    this.#attempt = 0
  }

  /**
   * A session opened. Once it has stayed open for `stableMs`, the next
   * loss starts from the first delay again; a server that welcomes and
   * drops at once keeps the count (and `maxReconnectAttempts`) going.
   */
  opened(stableMs = STABLE_SESSION_MS): void {
    clearTimeout(this.#stableTimer)
    this.#stableTimer = setTimeout(() => this.reset(), stableMs)
    unref(this.#stableTimer)
  }

  /** The connection was lost. */
  lost(): void {
    clearTimeout(this.#stableTimer)
    this.#stableTimer = undefined
  }

  /** Runs `attempt` after `delayMs`. */
  schedule(delayMs: number, attempt: () => void): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      attempt()
    }, delayMs)
  }

  /** Cancels the attempt that waits; true when there was one. */
  cancel(): boolean {
    if (this.#timer === undefined) return false
    clearTimeout(this.#timer)
    this.#timer = undefined
    return true
  }
}
