import type { Session, Transport, TransportName } from '../session/index.js'
import { type Flushable, scheduleFlush } from './flush-scheduler.js'
import type { TrafficCounts } from './metrics.js'

/** Reasons a connection stops reading its peer (bit flags). */
const PAUSE = {
  /** `maxPendingRequests` requests are running. */
  REQUESTS: 1,
  /** The socket's write buffer is full. */
  WRITES: 2,
} as const

/** Output queued in one turn past which it is written at once, in bytes. */
const EARLY_FLUSH_BYTES = 64 * 1024

/** A close waiting for the queued output ahead of it. */
export interface PendingEnd {
  readonly code: number
  readonly reason: string
}

/**
 * The part every transport shares: output queued per event-loop turn and
 * written in one go, a close that waits behind queued output, and the
 * session the connection belongs to now (a resume can move it).
 */
export abstract class Connection implements Transport, Flushable {
  abstract readonly name: TransportName
  readonly remoteAddress: string
  /** The session this connection serves; set right after accept. */
  session!: Session
  protected readonly traffic: TrafficCounts
  // Made on first use: an idle connection carries neither array.
  #pending: Buffer[] | undefined
  #pendingBytes = 0
  #ending: PendingEnd | undefined
  #flushQueued = false
  #reading = false
  /** Why the peer is not read now: PAUSE flags, 0 when it is. */
  #pauses = 0
  /** Bodies read after a pause: copies, at most one socket read's worth. */
  #held: Array<{ body: Buffer; isText: boolean }> | undefined
  /** True once the socket is gone. */
  protected gone = false
  /** The peer said goodbye below the envelope layer (WebSocket 1000). */
  leftCleanly = false

  constructor(remoteAddress: string, traffic: TrafficCounts) {
    this.remoteAddress = remoteAddress
    this.traffic = traffic
    traffic.connections += 1
    traffic.accepted += 1
  }

  get bufferedBytes(): number {
    return this.#pendingBytes + this.socketBufferedBytes()
  }

  /** True after `end` or once the socket is gone: sends are ignored. */
  get ended(): boolean {
    return this.#ending !== undefined || this.gone
  }

  send(body: Buffer): void {
    if (this.#ending !== undefined || this.gone) return
    this.#pending ??= []
    this.#pending.push(body)
    this.#pendingBytes += body.length
    // A read whose answers pile up is written out before it ends, so the
    // socket's own buffer, and its backpressure, takes over.
    if (this.#pendingBytes >= EARLY_FLUSH_BYTES) {
      this.flush()
      return
    }
    this.#queueFlush()
  }

  end(code: number, reason: string, closeBody: Buffer | undefined): void {
    if (this.#ending !== undefined || this.gone) return
    if (closeBody !== undefined) this.send(closeBody)
    this.#ending = { code, reason }
    this.#queueFlush()
  }

  #queueFlush(): void {
    if (this.#flushQueued || this.#reading) return
    this.#flushQueued = true
    scheduleFlush(this)
  }

  /**
   * Marks the start of one socket read. Answers given while it is handled
   * (synchronous handlers) wait for `endRead` and leave in one write,
   * without a scheduled callback; later answers are scheduled as usual.
   */
  protected beginRead(): void {
    this.#reading = true
  }

  /** Marks the end of one socket read: writes what it produced. */
  protected endRead(): void {
    this.#reading = false
    if (this.#pending !== undefined || this.#ending !== undefined) this.flush()
  }

  flush(): void {
    this.#flushQueued = false
    if (this.gone) return
    const bodies = this.#pending
    if (bodies !== undefined) {
      this.#pending = undefined
      this.#pendingBytes = 0
      this.traffic.framesOut += bodies.length
      this.writeBodies(bodies)
    }
    if (this.#ending !== undefined) this.finish(this.#ending)
  }

  flushFailed(_error: unknown): void {
    // Our bug, not the peer's: this connection cannot be trusted to write
    // again, but the connections flushed after it must still get theirs.
    this.destroy()
  }

  /**
   * Passes one body to `deliver`, or keeps a copy while reading is paused:
   * a single read can hold many frames, and the pause must hold them too.
   */
  protected receive(body: Buffer, isText: boolean): void {
    if (this.#pauses === 0) {
      this.deliver(body, isText)
      return
    }
    this.#held ??= []
    this.#held.push({ body: Buffer.from(body), isText })
  }

  /** Stops reading from the peer: too many requests in flight. */
  pauseReading(): void {
    this.#hold(PAUSE.REQUESTS)
  }

  /** Reads again once nothing else holds the peer back. */
  resumeReading(): void {
    this.#release(PAUSE.REQUESTS)
  }

  /**
   * The socket's buffer is full: the peer is not read until it drains, so
   * a client that does not read its answers cannot ask for more of them.
   */
  protected holdForWrites(): void {
    this.#hold(PAUSE.WRITES)
  }

  /** The socket's buffer drained. */
  protected writesDrained(): void {
    this.#release(PAUSE.WRITES)
  }

  #hold(reason: number): void {
    if (this.#pauses & reason) return
    this.traffic.readPauses += 1
    if (this.#pauses === 0) this.pauseSocket()
    this.#pauses |= reason
  }

  #release(reason: number): void {
    this.#pauses &= ~reason
    if (this.#pauses !== 0 || this.ended) return
    // Held bodies go on the next tick, not inside the caller's turn.
    if (this.#held === undefined) this.resumeSocket()
    else process.nextTick(() => this.#releaseHeld())
  }

  #releaseHeld(): void {
    const held = this.#held
    if (held === undefined) return
    let index = 0
    while (this.#pauses === 0 && !this.ended && index < held.length) {
      const { body, isText } = held[index]!
      index += 1
      this.deliver(body, isText)
    }
    held.splice(0, index)
    if (held.length === 0 && this.#held === held) this.#held = undefined
    if (this.#pauses === 0 && !this.ended) this.resumeSocket()
  }

  /** Marks the socket gone; call once from its 'close' event. */
  protected markGone(): void {
    if (this.gone) return
    this.gone = true
    this.#pending = undefined
    this.#pendingBytes = 0
    this.#held = undefined
    this.traffic.connections -= 1
  }

  abstract destroy(): void
  /** Hands one received body to the gateway. */
  protected abstract deliver(body: Buffer, isText: boolean): void
  protected abstract pauseSocket(): void
  protected abstract resumeSocket(): void
  /** Bytes the socket holds unsent. */
  protected abstract socketBufferedBytes(): number
  /** Writes every body queued this turn, in order. */
  protected abstract writeBodies(bodies: Buffer[]): void
  /** Ends the connection after what was written. */
  protected abstract finish(ending: PendingEnd): void
}
