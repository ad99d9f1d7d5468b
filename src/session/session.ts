import {
  CloseCode,
  closeReason,
  envelope,
  isSendableCloseCode,
  PortcullisError,
  PortcullisErrorCode,
  type Serializer,
} from '../codec/index.js'
import type { Clock } from './clock.js'
import type { CloseInfo, CloseOptions } from './close-info.js'
import { PushSequencer } from './push-sequencer.js'
import { RateBudget } from './rate-budget.js'
import { RequestLedger } from './request-ledger.js'
import type { Membership, SessionHooks } from './session-hooks.js'
import type { SessionLimits } from './session-limits.js'
import { nextState, SessionEvent, SessionState } from './session-state.js'
import { stateDeadlineAtMs, TIMEOUT_CLOSES } from './state-deadline.js'
import type { Transport } from './transport.js'

/**
 * One player's session: its state machine and deadlines, with its push
 * sequence, request bookkeeping and message budget, each made on first
 * use. It outlives its transport while detached. All state changes go
 * through `#transition`, which checks the table in session-state.ts.
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
  #pushes: PushSequencer | undefined
  #budget: RateBudget | undefined
  #requests: RequestLedger | undefined
  #data: Map<string, unknown> | undefined
  #memberships: Set<Membership> | undefined
  #closing: (CloseInfo & { retryAfterMs?: number }) | undefined
  #closeInfo: CloseInfo | undefined
  #discarded = false

  constructor(
    id: string,
    transport: Transport,
    serializer: Serializer,
    limits: SessionLimits,
    hooks: SessionHooks,
    clock: Clock,
    acceptedAtMs: number = clock.now(),
  ) {
    this.id = id
    this.transport = transport
    this.serializer = serializer
    this.#limits = limits
    this.#hooks = hooks
    this.#clock = clock
    // The handshake deadline runs from the accept: on WebSocket the
    // upgrade happened before the session existed and counts against it.
    this.createdAtMs = acceptedAtMs
    this.#lastSeenAtMs = this.createdAtMs
    this.#deadlineAtMs = this.createdAtMs + limits.handshakeTimeoutMs
  }

  /** True for a session dropped unopened because its connection resumed. */
  get discarded(): boolean {
    return this.#discarded
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
    return this.#pushes?.lastSeq ?? 0
  }

  /** Highest push sequence the client acknowledged. */
  get ackedSeq(): number {
    return this.#pushes?.ackedSeq ?? 0
  }

  /** Requests being handled now. */
  get pendingRequests(): number {
    return this.#requests?.running ?? 0
  }

  /** True once unacknowledged pushes passed the replay caps. */
  get replayOverflowed(): boolean {
    return this.#pushes?.overflowed === true
  }

  /** False once the replay buffer overflowed or resume is off. */
  get resumable(): boolean {
    return this.#limits.resumeWindowMs > 0 && !this.#pushes?.overflowed
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
    if (state === SessionState.OPEN) {
      this.openedAtMs ??= now
      this.#lastSeenAtMs = now
    }
    this.#deadlineAtMs = stateDeadlineAtMs(state, now, this.#limits)
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
    const state = this.#state
    const due =
      state === SessionState.OPEN
        ? nowMs - this.#lastSeenAtMs >= this.#limits.idleTimeoutMs
        : nowMs >= this.#deadlineAtMs
    if (!due) return
    const timeout = TIMEOUT_CLOSES[state]
    if (timeout !== undefined) this.close(timeout.code, timeout.reason)
    else if (state === SessionState.DETACHED) this.#expire()
    // While requests in flight hold the CLOSE back, the grace period has
    // not begun: handlers are bounded by handlerTimeoutMs already.
    else if (state === SessionState.CLOSING && this.#closing === undefined) {
      this.#forceClosed()
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
    const pushes = this.#pushSequencer()
    const seq = pushes.next()
    const body = this.serializer.encodePush(seq, tail)
    pushes.keep(seq, body)
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

  /** Made at the first push, so an idle session holds no sequencer. */
  #pushSequencer(): PushSequencer {
    this.#pushes ??= new PushSequencer(this.#limits, () =>
      this.#hooks.onShed?.(this, 'replay'),
    )
    return this.#pushes
  }

  /** The client acknowledged every push up to `seq`. */
  acknowledge(seq: number): void {
    this.#pushes?.acknowledge(seq)
  }

  /**
   * Push bodies the client missed after `lastSeq`, or undefined when they
   * are no longer all available.
   */
  replayAfter(lastSeq: number): Buffer[] | undefined {
    return this.#pushSequencer().replayAfter(lastSeq)
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
    this.#budget ??= new RateBudget(this.#limits, nowMs)
    if (this.#budget.take(nowMs)) return true
    if (this.#budget.exhausted(nowMs)) {
      this.close(CloseCode.RATE_LIMITED, 'over the message budget too long')
    }
    return false
  }

  /**
   * True when a request with this id is running already: a re-send after a
   * resume must not run twice, and its answer is on the way.
   */
  isRunning(id: number): boolean {
    return this.#requests?.isRunning(id) === true
  }

  /**
   * An asynchronous request started; reading pauses at
   * `maxPendingRequests`. Returns false when the id is running already.
   */
  requestStarted(id: number): boolean {
    const requests = this.#requestLedger()
    if (!requests.start(id)) return false
    if (requests.running === this.#limits.maxPendingRequests) {
      this.transport?.pauseReading()
    }
    return true
  }

  /** An asynchronous request ended; sends its response, remembers it. */
  requestFinished(id: number, body: Buffer | undefined): void {
    const requests = this.#requests
    if (requests === undefined || !requests.finish(id)) return
    if (body !== undefined) this.answer(id, body)
    if (requests.running === this.#limits.maxPendingRequests - 1) {
      this.transport?.resumeReading()
    }
    if (requests.running === 0 && this.#closing) {
      // After the transport hands over what it held back while paused
      // (resumeReading queues that first): a drain answers those too.
      process.nextTick(() => this.#sendClose())
    }
  }

  /**
   * Sends the response of request `id` and remembers it. Handlers that
   * answer at once come here directly, with no pending bookkeeping.
   */
  answer(id: number, body: Buffer): void {
    this.#requestLedger().remember(id, body)
    if (this.#state === SessionState.OPEN || this.#closing) this.send(body)
  }

  /** The response already sent for request `id`, if remembered. */
  rememberedResponse(id: number): Buffer | undefined {
    return this.#requests?.remembered(id)
  }

  /** Made at the first request, so an idle session holds no ledger. */
  #requestLedger(): RequestLedger {
    this.#requests ??= new RequestLedger(this.#limits.maxRememberedResponses)
    return this.#requests
  }

  /**
   * Closes the session with `code`: sends CLOSE, then ends the transport once
   * flushed. With `afterPending`, requests in flight answer first. Closing
   * a closing or closed session does nothing.
   */
  close(code: number, reason?: string, options: CloseOptions = {}): void {
    if (!isSendableCloseCode(code)) {
      throw new PortcullisError(
        PortcullisErrorCode.INVALID_CLOSE_CODE,
        `close code ${code} cannot be sent: use 1000-1003, 1007-1014 or ` +
          '3000-4999',
      )
    }
    if (!this.can(SessionEvent.CLOSE_REQUESTED)) return
    const text = reason ?? closeReason[code as CloseCode] ?? 'closed'
    this.#closeInfo = { code, reason: text }
    this.#closing = { code, reason: text }
    if (options.retryAfterMs !== undefined) {
      this.#closing.retryAfterMs = options.retryAfterMs
    }
    this.#transition(SessionEvent.CLOSE_REQUESTED)
    if (this.transport === undefined) {
      this.#pushes?.clear()
      this.#transition(SessionEvent.FLUSHED)
      return
    }
    if (!options.afterPending || this.pendingRequests === 0) this.#sendClose()
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
    this.#pushes?.clear()
    if (this.#state === SessionState.CLOSING) {
      this.#transition(SessionEvent.FLUSHED)
    }
  }

  #expire(): void {
    this.#closeInfo ??= {
      code: CloseCode.GOING_AWAY,
      reason: 'resume window over',
    }
    this.#pushes?.clear()
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
      this.#pushes?.transcode(convert)
      this.#requests?.transcode(convert)
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
    this.#discarded = true
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
