import type { Session, Transport, TransportName } from '../session/index.js'
import { type Flushable, scheduleFlush } from './flush-scheduler.js'
import type { TrafficCounts } from './metrics.js'

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
  #readingPaused = false
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

  /**
   * Passes one body to `deliver`, or keeps a copy while reading is paused:
   * a single read can hold many frames, and the pause must hold them too.
   */
  protected receive(body: Buffer, isText: boolean): void {
    if (!this.#readingPaused) {
      this.deliver(body, isText)
      return
    }
    this.#held ??= []
    this.#held.push({ body: Buffer.from(body), isText })
  }

  /** Stops reading from the peer; bodies already read wait as well. */
  pauseReading(): void {
    this.traffic.readPauses += 1
    this.#readingPaused = true
    this.pauseSocket()
  }

  /** Hands over held bodies (on the next tick), then reads again. */
  resumeReading(): void {
    if (this.ended) return
    this.#readingPaused = false
    if (this.#held === undefined) this.resumeSocket()
    else process.nextTick(() => this.#releaseHeld())
  }

  #releaseHeld(): void {
    const held = this.#held
    if (held === undefined) return
    let index = 0
    while (!this.#readingPaused && !this.ended && index < held.length) {
      const { body, isText } = held[index]!
      index += 1
      this.deliver(body, isText)
    }
    held.splice(0, index)
    if (held.length === 0 && this.#held === held) this.#held = undefined
    if (!this.#readingPaused && !this.ended) this.resumeSocket()
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
