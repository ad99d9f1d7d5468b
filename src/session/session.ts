import {
  CloseCode,
  closeReason,
  envelope,
  PortcullisError,
  PortcullisErrorCode,
  type Serializer,
} from '../codec/index.js'
import type { Clock } from './clock.js'
import { ReplayBuffer } from './replay-buffer.js'
import { ResponseMemory } from './response-memory.js'
import type { SessionLimits } from './session-limits.js'
import { nextState, SessionEvent, SessionState } from './session-state.js'
import { TokenBucket } from './token-bucket.js'
import type { Transport } from './transport.js'

/** Quiet time that ends an over-budget spell, in milliseconds. */
const OVER_BUDGET_QUIET_MS = 1_000

/** Callbacks a session reports to; shared by all sessions of a gateway. */
export interface SessionHooks {
  /** Called after every state change. */
  onTransition(
    session: Session,
    from: SessionState,
    to: SessionState,
    event: SessionEvent,
  ): void
  /** Called when a push is dropped or a budget is exceeded, for metrics. */
  onShed?(session: Session, what: 'notify' | 'request' | 'replay'): void
}

/** How a session ended. */
export interface CloseInfo {
  readonly code: number
  readonly reason: string
}

/** Options of `Session.close`. */
export interface CloseOptions {
  /** Tells the client when to come back, in milliseconds. */
  retryAfterMs?: number
  /** Lets requests in flight answer before the CLOSE is sent. */
  afterPending?: boolean
}

/** Something a session can belong to and must leave when it closes. */
export interface Membership {
  remove(session: Session): void
}

/**
 * One player's session: its state machine, deadlines, push sequence, replay
 * buffer and budgets. It outlives its transport while detached. All state
 * changes go through `#transition`, which checks the table in
 * session-state.ts.
 */
export class Session {
  readonly id: string
  readonly createdAtMs: number
  /** When the session first opened; undefined if it never did. */
  openedAtMs: number | undefined
  /** The user id the auth hook returned, once authenticated. */
  uid: string | undefined
  /** What the auth hook returned alongside the user id. */
  authData: unknown
  /** The transport now attached, if any. */
  transport: Transport | undefined
  serializer: Serializer
  /** The token a client presents to resume this session. */
  resumeToken = ''
  readonly #limits: SessionLimits
  readonly #hooks: SessionHooks
  readonly #clock: Clock
  #state: SessionState = SessionState.HANDSHAKING
  #deadlineAtMs: number
  #lastSeenAtMs: number
  #seenSinceTick = false
  #lastPushSeq = 0
  #ackedSeq = 0
  #replay: ReplayBuffer | undefined
  #bucket: TokenBucket | undefined
  #overBudgetSinceMs = -1
  #lastRefusedAtMs = Number.NEGATIVE_INFINITY
  #pendingRequests = 0
  #responses: ResponseMemory | undefined
  #running: Set<number> | undefined
  #data: Map<string, unknown> | undefined
  #memberships: Set<Membership> | undefined
  #closing: (CloseInfo & { retryAfterMs?: number }) | undefined
  #closeInfo: CloseInfo | undefined

  constructor(
    id: string,
    transport: Transport,
    serializer: Serializer,
    limits: SessionLimits,
    hooks: SessionHooks,
    clock: Clock,
  ) {
    this.id = id
    this.transport = transport
    this.serializer = serializer
    this.#limits = limits
    this.#hooks = hooks
    this.#clock = clock
    this.createdAtMs = clock.now()
    this.#lastSeenAtMs = this.createdAtMs
    this.#deadlineAtMs = this.createdAtMs + limits.handshakeTimeoutMs
  }

  /** The current state. */
  get state(): SessionState {
    return this.#state
  }

  /** The limits this session obeys. */
  get limits(): SessionLimits {
    return this.#limits
  }

  /** How the session ended (set once it is closing). */
  get closeInfo(): CloseInfo | undefined {
    return this.#closeInfo
  }

  /** Sequence number of the last push sent. */
  get lastPushSeq(): number {
    return this.#lastPushSeq
  }

  /** Highest push sequence the client acknowledged. */
  get ackedSeq(): number {
    return this.#ackedSeq
  }

  /** Requests being handled now. */
  get pendingRequests(): number {
    return this.#pendingRequests
  }

  /** True once unacknowledged pushes passed the replay caps. */
  get replayOverflowed(): boolean {
    return this.#replay?.overflowed === true
  }

  /** False once the replay buffer overflowed or resume is off. */
  get resumable(): boolean {
    return this.#limits.resumeWindowMs > 0 && !this.#replay?.overflowed
  }

  /** Application data kept with the session (survives a resume). */
  get data(): Map<string, unknown> {
    this.#data ??= new Map()
    return this.#data
  }

  /** Records that the session joined `membership`, to leave it on close. */
  join(membership: Membership): void {
    this.#memberships ??= new Set()
    this.#memberships.add(membership)
  }

  /** Forgets a membership (the group removed the session itself). */
  leave(membership: Membership): void {
    this.#memberships?.delete(membership)
  }

  /** True when the session is open and has a transport. */
  get isOpen(): boolean {
    return this.#state === SessionState.OPEN
  }

  /** The state machine's single writer. Illegal moves are our bug: throw. */
  #transition(event: SessionEvent): void {
    const from = this.#state
    const to = nextState(from, event)
    if (to === undefined) {
      throw new PortcullisError(
        PortcullisErrorCode.ILLEGAL_TRANSITION,
        `session ${this.id}: ${event} is not allowed in state ${from}`,
      )
    }
    this.#state = to
    this.#armDeadline(to)
    if (to === SessionState.CLOSED) this.#leaveAll()
    this.#hooks.onTransition(this, from, to, event)
  }

  #leaveAll(): void {
    const memberships = this.#memberships
    if (memberships === undefined) return
    this.#memberships = undefined
    for (const membership of memberships) membership.remove(this)
  }

  #armDeadline(state: SessionState): void {
    const now = this.#clock.now()
    const limits = this.#limits
    switch (state) {
      case SessionState.AUTHENTICATING:
        this.#deadlineAtMs = now + limits.authTimeoutMs
        break
      case SessionState.OPEN:
        this.openedAtMs ??= now
        this.#lastSeenAtMs = now
        this.#deadlineAtMs = Number.POSITIVE_INFINITY
        break
      case SessionState.DETACHED:
        this.#deadlineAtMs = now + limits.resumeWindowMs
        break
      case SessionState.CLOSING:
        this.#deadlineAtMs = now + limits.closeGraceMs
        break
      default:
        this.#deadlineAtMs = Number.POSITIVE_INFINITY
    }
  }

  /** True when `event` is allowed in the current state. */
  can(event: SessionEvent): boolean {
    return nextState(this.#state, event) !== undefined
  }

  /** A valid HELLO arrived: wait for the auth hook. */
  helloReceived(): void {
    this.#transition(SessionEvent.HELLO_RECEIVED)
  }

  /** The auth hook accepted the client as `uid`: the session opens. */
  authenticated(uid: string | undefined, authData: unknown): void {
    this.uid = uid
    this.authData = authData
    this.#transition(SessionEvent.AUTH_ACCEPTED)
  }

  /** Marks activity from the peer; the next tick moves the idle deadline. */
  touch(): void {
    this.#seenSinceTick = true
  }

  /**
   * Checks the deadline of the current state; the gateway calls this from
   * one periodic sweep over all sessions instead of a timer per session.
   */
  tick(nowMs: number): void {
    if (this.#seenSinceTick) {
      this.#seenSinceTick = false
      this.#lastSeenAtMs = nowMs
    }
    switch (this.#state) {
      case SessionState.HANDSHAKING:
        if (nowMs >= this.#deadlineAtMs) {
          this.close(CloseCode.HANDSHAKE_TIMEOUT, 'no HELLO in time')
        }
        break
      case SessionState.AUTHENTICATING:
        if (nowMs >= this.#deadlineAtMs) {
          this.close(CloseCode.AUTH_FAILED, 'authentication timed out')
        }
        break
      case SessionState.OPEN:
        if (nowMs - this.#lastSeenAtMs >= this.#limits.idleTimeoutMs) {
          this.close(CloseCode.IDLE_TIMEOUT, 'no message within idleTimeoutMs')
        }
        break
      case SessionState.DETACHED:
        if (nowMs >= this.#deadlineAtMs) this.#expire()
        break
      case SessionState.CLOSING:
        // While requests in flight hold the CLOSE back, the grace period
        // has not begun: handlers are bounded by handlerTimeoutMs already.
        if (nowMs >= this.#deadlineAtMs && this.#closing === undefined) {
          this.#forceClosed()
        }
        break
      default:
    }
  }

  /**
   * Sends a push to the client (or keeps it for replay while detached).
   * Returns its sequence number, or 0 when the session cannot take pushes.
   */
  push(route: string, payload: unknown): number {
    if (!this.#acceptsPushes()) return 0
    const tail = this.serializer.encodePushTail(route, payload)
    return this.pushTail(tail)
  }

  /**
   * Sends a push whose route and payload were encoded already by this
   * session's serializer (`Serializer.encodePushTail`): broadcasts encode
   * them once for every member.
   */
  pushTail(tail: Buffer): number {
    if (!this.#acceptsPushes()) return 0
    const seq = this.#lastPushSeq + 1
    this.#lastPushSeq = seq
    const body = this.serializer.encodePush(seq, tail)
    if (this.#limits.resumeWindowMs > 0) this.#keepForReplay(seq, body)
    if (this.#state === SessionState.OPEN || this.#closing !== undefined) {
      this.send(body)
    }
    return seq
  }

  #acceptsPushes(): boolean {
    const state = this.#state
    return (
      state === SessionState.OPEN ||
      state === SessionState.DETACHED ||
      (state === SessionState.CLOSING && this.transport !== undefined)
    )
  }

  #keepForReplay(seq: number, body: Buffer): void {
    this.#replay ??= new ReplayBuffer(
      this.#limits.maxReplayPushes,
      this.#limits.maxReplayBytes,
    )
    if (this.#replay.overflowed) return
    if (!this.#replay.add(seq, body)) this.#hooks.onShed?.(this, 'replay')
  }

  /** The client acknowledged every push up to `seq`. */
  acknowledge(seq: number): void {
    if (seq <= this.#ackedSeq || seq > this.#lastPushSeq) return
    this.#ackedSeq = seq
    this.#replay?.acknowledge(seq)
  }

  /**
   * Push bodies the client missed after `lastSeq`, or undefined when they
   * are no longer all available.
   */
  replayAfter(lastSeq: number): Buffer[] | undefined {
    if (lastSeq > this.#lastPushSeq) return undefined
    if (lastSeq === this.#lastPushSeq) return []
    if (this.#replay === undefined) return undefined
    const bodies = this.#replay.since(lastSeq, this.#lastPushSeq)
    // Resuming from lastSeq acknowledges it, like an ACK would.
    if (bodies !== undefined && lastSeq > this.#ackedSeq) {
      this.#ackedSeq = lastSeq
    }
    return bodies
  }

  /** Sends one encoded body if a transport is attached; checks its budget. */
  send(body: Buffer): void {
    const transport = this.transport
    if (transport === undefined) return
    transport.send(body)
    if (transport.bufferedBytes > this.#limits.maxOutboundBytes) {
      this.abort(CloseCode.SLOW_READER, 'unsent output passed maxOutboundBytes')
    }
  }

  /**
   * Counts one REQUEST or NOTIFY against the rate budget. Returns false when
   * over budget. A session stays "over budget" until a whole second passes
   * with nothing refused; past `rateLimitCloseAfterMs` of that it is closed
   * (4029), so a flood at any multiple of the rate ends the session.
   */
  takeBudget(nowMs: number): boolean {
    this.#bucket ??= new TokenBucket(
      this.#limits.maxMessagesPerSecond,
      this.#limits.maxBurstMessages,
      nowMs,
    )
    if (this.#bucket.take(nowMs)) {
      if (nowMs - this.#lastRefusedAtMs >= OVER_BUDGET_QUIET_MS) {
        this.#overBudgetSinceMs = -1
      }
      return true
    }
    this.#lastRefusedAtMs = nowMs
    if (this.#overBudgetSinceMs < 0) this.#overBudgetSinceMs = nowMs
    if (nowMs - this.#overBudgetSinceMs >= this.#limits.rateLimitCloseAfterMs) {
      this.close(CloseCode.RATE_LIMITED, 'over the message budget too long')
    }
    return false
  }

  /**
   * True when a request with this id is running already: a re-send after a
   * resume must not run twice, and its answer is on the way.
   */
  isRunning(id: number): boolean {
    return this.#running !== undefined && this.#running.has(id)
  }

  /**
   * An asynchronous request started; reading pauses at
   * `maxPendingRequests`. Returns false when the id is running already.
   */
  requestStarted(id: number): boolean {
    this.#running ??= new Set()
    if (this.#running.has(id)) return false
    this.#running.add(id)
    this.#pendingRequests += 1
    if (this.#pendingRequests === this.#limits.maxPendingRequests) {
      this.transport?.pauseReading()
    }
    return true
  }

  /** An asynchronous request ended; sends its response, remembers it. */
  requestFinished(id: number, body: Buffer | undefined): void {
    if (!this.#running?.delete(id)) return
    this.#pendingRequests -= 1
    if (body !== undefined) this.answer(id, body)
    if (this.#pendingRequests === this.#limits.maxPendingRequests - 1) {
      this.transport?.resumeReading()
    }
    if (this.#pendingRequests === 0 && this.#closing) this.#sendClose()
  }

  /**
   * Sends the response of request `id` and remembers it. Handlers that
   * answer at once come here directly, with no pending bookkeeping.
   */
  answer(id: number, body: Buffer): void {
    const max = this.#limits.maxRememberedResponses
    if (max > 0) {
      this.#responses ??= new ResponseMemory(max)
      this.#responses.remember(id, body)
    }
    if (this.#state === SessionState.OPEN || this.#closing) this.send(body)
  }

  /** The response already sent for request `id`, if remembered. */
  rememberedResponse(id: number): Buffer | undefined {
    return this.#responses?.get(id)
  }

  /**
   * Closes the session with `code`: sends CLOSE, then ends the transport once
   * flushed. With `afterPending`, requests in flight answer first. Closing
   * a closing or closed session does nothing.
   */
  close(code: number, reason?: string, options: CloseOptions = {}): void {
    if (!this.can(SessionEvent.CLOSE_REQUESTED)) return
    const text = reason ?? closeReason[code as CloseCode] ?? 'closed'
    this.#closeInfo = { code, reason: text }
    this.#closing = { code, reason: text }
    if (options.retryAfterMs !== undefined) {
      this.#closing.retryAfterMs = options.retryAfterMs
    }
    this.#transition(SessionEvent.CLOSE_REQUESTED)
    if (this.transport === undefined) {
      this.#replay?.clear()
      this.#transition(SessionEvent.FLUSHED)
      return
    }
    if (!options.afterPending || this.#pendingRequests === 0) this.#sendClose()
  }

  /** Closes at once without flushing (slow reader): memory is released. */
  abort(code: number, reason: string): void {
    if (this.can(SessionEvent.CLOSE_REQUESTED)) {
      this.#closeInfo = { code, reason }
      this.#transition(SessionEvent.CLOSE_REQUESTED)
    }
    this.#forceClosed()
  }

  #sendClose(): void {
    const closing = this.#closing
    const transport = this.transport
    if (closing === undefined || transport === undefined) return
    this.#closing = undefined
    this.#deadlineAtMs = this.#clock.now() + this.#limits.closeGraceMs
    const body = this.serializer.encode(
      envelope.close(closing.code, closing.reason, closing.retryAfterMs),
    )
    transport.end(closing.code, closing.reason, body)
  }

  #forceClosed(): void {
    const transport = this.transport
    this.transport = undefined
    transport?.destroy()
    this.#replay?.clear()
    if (this.#state === SessionState.CLOSING) {
      this.#transition(SessionEvent.FLUSHED)
    }
  }

  #expire(): void {
    this.#closeInfo ??= {
      code: CloseCode.GOING_AWAY,
      reason: 'resume window over',
    }
    this.#replay?.clear()
    this.#transition(SessionEvent.WINDOW_OVER)
  }

  /**
   * The transport went away. An open session waits detached for a resume
   * (or ends at once when it cannot resume); others end.
   */
  transportLost(): void {
    this.transport = undefined
    if (this.#state === SessionState.CLOSED) return
    this.#transition(SessionEvent.TRANSPORT_LOST)
    if ((this.#state as SessionState) === SessionState.CLOSED) {
      this.#closeInfo ??= {
        code: CloseCode.GOING_AWAY,
        reason: 'connection lost',
      }
      return
    }
    if (this.#state === SessionState.DETACHED && !this.resumable) {
      this.#expire()
    }
  }

  /**
   * A new transport takes the session over (resume or takeover). The old
   * transport, if any, must have been closed by the caller.
   */
  attach(transport: Transport, serializer: Serializer): void {
    const previous = this.serializer
    if (serializer !== previous) {
      // Kept bodies were encoded for the old transport's serializer.
      const convert = (body: Buffer) =>
        serializer.encode(previous.decode(body) as unknown[])
      this.#replay?.transcode(convert)
      this.#responses?.transcode(convert)
    }
    this.transport = transport
    this.serializer = serializer
    this.#transition(SessionEvent.RESUMED)
  }

  /**
   * Ends a session that never opened because its connection resumed another
   * session: nothing is sent, the transport is kept by its new owner.
   */
  discard(): void {
    this.transport = undefined
    this.#closeInfo = { code: CloseCode.NORMAL, reason: 'resumed another' }
    this.#transition(SessionEvent.CLOSE_REQUESTED)
    this.#transition(SessionEvent.FLUSHED)
  }

  /** Unhooks the current transport without changing state (takeover). */
  detachTransport(): Transport | undefined {
    const transport = this.transport
    this.transport = undefined
    return transport
  }
}
