import { ReplayBuffer } from './replay-buffer.js'
import type { SessionLimits } from './session-limits.js'

/** The limits that bound what a session keeps for replay. */
export type ReplayLimits = Pick<
  SessionLimits,
  'resumeWindowMs' | 'maxReplayPushes' | 'maxReplayBytes'
>

/**
 * A session's push sequence: numbers each push, keeps its body until the
 * client acknowledges it (when resume is on), and hands back what a
 * resuming client missed. The replay buffer is made on the first push
 * kept, so a session that never pushes holds none.
 */
export class PushSequencer {
  readonly #limits: ReplayLimits
  readonly #onOverflow: () => void
  #lastSeq = 0
  #ackedSeq = 0
  #replay: ReplayBuffer | undefined

  /**
   * @param onOverflow called for a push the replay buffer could not keep
   *   (it overflowed), for metrics
   */
  constructor(limits: ReplayLimits, onOverflow: () => void) {
    this.#limits = limits
    this.#onOverflow = onOverflow
  }

  /** Sequence number of the last push numbered. */
  get lastSeq(): number {
    return this.#lastSeq
  }

  /** Highest push sequence the client acknowledged. */
  get ackedSeq(): number {
    return this.#ackedSeq
  }

  /** True once unacknowledged pushes passed the replay caps. */
  get overflowed(): boolean {
    return this.#replay?.overflowed === true
  }

  /** Numbers the next push. */
  next(): number {
    this.#lastSeq += 1
    return this.#lastSeq
  }

  /** Keeps push `seq` for replay, when the session can resume at all. */
  keep(seq: number, body: Buffer): void {
    const limits = this.#limits
    if (limits.resumeWindowMs <= 0) return
    this.#replay ??= new ReplayBuffer(
      limits.maxReplayPushes,
      limits.maxReplayBytes,
    )
    if (this.#replay.overflowed) return
    if (!this.#replay.add(seq, body)) this.#onOverflow()
  }

  /** The client acknowledged every push up to `seq`. */
  acknowledge(seq: number): void {
    if (seq <= this.#ackedSeq || seq > this.#lastSeq) return
    this.#ackedSeq = seq
    this.#replay?.acknowledge(seq)
  }

  /**
   * Push bodies the client missed after `lastSeq`, or undefined when they
   * are no longer all available.
   */
  replayAfter(lastSeq: number): Buffer[] | undefined {
    if (lastSeq > this.#lastSeq) return undefined
    if (lastSeq === this.#lastSeq) return []
    if (this.#replay === undefined) return undefined
    const bodies = this.#replay.since(lastSeq, this.#lastSeq)
    // Resuming from lastSeq acknowledges it, like an ACK would.
    if (bodies !== undefined && lastSeq > this.#ackedSeq) {
      this.#ackedSeq = lastSeq
    }
    return bodies
  }

  /** Re-encodes the kept bodies (the session changed serializer). */
  transcode(convert: (body: Buffer) => Buffer): void {
    this.#replay?.transcode(convert)
  }

  /** Drops the kept bodies: the session will not resume. */
  clear(): void {
    this.#replay?.clear()
  }
}
