import { unref } from './unref.js'

/** The server's limits that pace heartbeats (from WELCOME). */
export type HeartbeatLimits = Readonly<Record<string, number>>

/**
 * PINGs every `heartbeatIntervalMs` and watches for a connection that went
 * silent: nothing received for `idleTimeoutMs` means it is dead, even when
 * the socket has not noticed yet.
 */
export class Heartbeat {
  readonly #onBeat: () => void
  readonly #onSilent: () => void
  #lastReceivedAtMs = 0
  #timer: ReturnType<typeof setInterval> | undefined

  /**
   * @param onBeat sends a PING
   * @param onSilent drops the connection that went silent
   */
  constructor(onBeat: () => void, onSilent: () => void) {
    this.#onBeat = onBeat
    this.#onSilent = onSilent
  }

  /** Something arrived: the connection is alive now. */
  received(): void {
    this.#lastReceivedAtMs = Date.now()
  }

  /** Starts beating at the pace `limits` ask for (or the defaults). */
  start(limits: HeartbeatLimits | undefined): void {
    this.stop()
    const intervalMs = limits?.heartbeatIntervalMs ?? 15_000
    const idleTimeoutMs = limits?.idleTimeoutMs ?? 45_000
    this.#timer = unref(
      setInterval(() => {
        if (Date.now() - this.#lastReceivedAtMs >= idleTimeoutMs) {
          this.#onSilent()
          return
        }
        this.#onBeat()
      }, intervalMs),
    )
  }

  /** Stops beating. */
  stop(): void {
    clearInterval(this.#timer)
    this.#timer = undefined
  }
}
