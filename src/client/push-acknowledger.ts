import { unref } from './unref.js'

/** The server's limits that pace acknowledgements (from WELCOME). */
export type AckLimits = Readonly<Record<string, number>>

/**
 * Tracks the push sequence of the current session and acknowledges it:
 * at once every `ackEveryPushes` pushes, else after `ackIntervalMs`, so
 * the server can free its replay buffer without an ACK per push.
 */
export class PushAcknowledger {
  readonly #sendAck: (seq: number) => boolean
  #lastSeq = 0
  #ackedSeq = 0
  #timer: ReturnType<typeof setTimeout> | undefined

  /**
   * @param sendAck sends an ACK of `seq`; returns false when it could not
   *   (no session open)
   */
  constructor(sendAck: (seq: number) => boolean) {
    this.#sendAck = sendAck
  }

  /** Highest push sequence number received in the current session. */
  get lastSeq(): number {
    return this.#lastSeq
  }

  /**
   * Takes push `seq`; returns false when it was seen already (the server
   * replayed from an older lastSeq) and must be dropped.
   */
  receive(seq: number, limits: AckLimits | undefined): boolean {
    if (seq <= this.#lastSeq) return false
    this.#lastSeq = seq
    if (seq - this.#ackedSeq >= (limits?.ackEveryPushes ?? 32)) this.#ack()
    else if (this.#timer === undefined) {
      this.#timer = unref(
        setTimeout(() => this.#ack(), limits?.ackIntervalMs ?? 250),
      )
    }
    return true
  }

  /** Everything received was acknowledged another way (a PING). */
  markAcknowledged(): void {
    this.#ackedSeq = this.#lastSeq
  }

  /** A fresh session starts: its pushes count from 1 again. */
  reset(): void {
    this.#lastSeq = 0
    this.#ackedSeq = 0
  }

  /** Cancels a scheduled ACK (the connection ended). */
  stop(): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
  }

  #ack(): void {
    this.stop()
    if (this.#lastSeq === this.#ackedSeq) return
    if (this.#sendAck(this.#lastSeq)) this.#ackedSeq = this.#lastSeq
  }
}
