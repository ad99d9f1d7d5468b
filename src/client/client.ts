import {
  type EnvelopeOf,
  envelope,
  type HelloInfo,
  MAX_REQUEST_ID,
  parseEnvelope,
  type ResumeOutcome,
} from '../codec/envelope.js'
import { JsonSerializer } from '../codec/json-serializer.js'
import { Kind } from '../codec/kinds.js'
import { MsgpackSerializer } from '../codec/msgpack-serializer.js'
import {
  PortcullisError,
  PortcullisErrorCode,
} from '../codec/portcullis-error.js'
import type { Serializer } from '../codec/serializer.js'
import { backoffDelayMs } from './backoff.js'
import {
  type ClientOptions,
  parseClientUrls,
  type ResolvedClientOptions,
  resolveClientOptions,
} from './client-options.js'
import { ClientState, canMove } from './client-state.js'
import type { ClientTransport } from './client-transport.js'
import { OfflineQueue } from './offline-queue.js'
import { openTransport } from './open-transport.js'
import { RemoteError } from './remote-error.js'
import { SessionLostError } from './session-lost-error.js'
import { TypedEmitter } from './typed-emitter.js'

/** What WELCOME told the client. */
export interface Welcome {
  /** The session's id; the same across resumes. */
  readonly sessionId: string
  /** The token that resumes this session. */
  readonly resumeToken: string
  /** The outcome of a resume, or null when none was asked for. */
  readonly resume: ResumeOutcome | null
  /** Every limit the server enforces, by name. */
  readonly limits: Readonly<Record<string, number>>
}

/** A session became open: the first one, a resumed one or a fresh one. */
export interface OpenInfo {
  readonly welcome: Welcome
  /** True when the earlier session goes on, nothing lost. */
  readonly resumed: boolean
  /** Pushes the server replayed after the resume. */
  readonly replayed: number
  /** Why the earlier session could not resume, when it could not. */
  readonly resumeRefused: string | null
}

/** A push from the server. */
export interface PushMessage {
  readonly route: string
  readonly payload: unknown
  /** The push's sequence number in its session. */
  readonly seq: number
}

/** A reconnect was scheduled. */
export interface ReconnectInfo {
  /** Attempts since the last open session, this one included. */
  readonly attempt: number
  /** Time until the attempt, in ms. */
  readonly delayMs: number
  /** Close code of the connection that ended (1006: lost). */
  readonly code: number
  readonly reason: string
}

/** The earlier session was lost; the application must rebuild its state. */
export interface ResumeRefusedInfo {
  /** `window_over`, `buffer_overflowed`, `bad_token` or `unknown_session`. */
  readonly reason: string
  readonly previousSessionId: string
  readonly sessionId: string
}

/** The client finished for good. */
export interface ClosedInfo {
  readonly code: number
  readonly reason: string
}

/** Events of a client and their arguments. */
export type ClientEvents = {
  /** Every state change. */
  state: [change: { from: ClientState; to: ClientState }]
  /** A session is open (after connect, resume or refused resume). */
  open: [info: OpenInfo]
  /** A push arrived (each sequence number once, in order). */
  push: [push: PushMessage]
  /** The connection was lost and a new attempt is scheduled. */
  reconnecting: [info: ReconnectInfo]
  /** A resume was refused: this is a fresh session. */
  resumeRefused: [info: ResumeRefusedInfo]
  /** The client finished; it will not reconnect. */
  closed: [info: ClosedInfo]
}

interface PendingRequest {
  readonly route: string
  readonly body: Uint8Array
  readonly resolve: (value: unknown) => void
  readonly reject: (error: Error) => void
  readonly timer: ReturnType<typeof setTimeout>
  /** True once it went out on the current session. */
  sent: boolean
}

/**
 * Close codes after which reconnecting can help (PROTOCOL.md section 5).
 * 1005 and 1006 mean the connection ended without a close code.
 */
const RECONNECT_CODES: ReadonlySet<number> = new Set([
  1001, 1005, 1006, 1011, 1013, 4003, 4004, 4008, 4029,
])
const LOST = 1006

function unref<T>(timer: T): T {
  ;(timer as { unref?: () => void }).unref?.()
  return timer
}

/**
 * A client of the Portcullis protocol over tcp://, tls://, ws:// or wss://.
 * It reconnects by itself with exponential backoff and full jitter, resumes
 * its session so every push arrives once and in order, re-sends requests
 * that had no answer, and queues what is sent while offline.
 */
export class PortcullisClient extends TypedEmitter<ClientEvents> {
  /** The URLs to connect to; attempts take them in turn. */
  readonly urls: readonly URL[]
  /** Round-trip time measured by the last PONG, in ms. */
  rttMs: number | undefined
  /** Server clock minus client clock, estimated from PONGs, in ms. */
  clockOffsetMs: number | undefined
  readonly #options: ResolvedClientOptions
  readonly #serializer: Serializer
  readonly #pending = new Map<number, PendingRequest>()
  readonly #queue: OfflineQueue
  #state: ClientState = ClientState.IDLE
  #urlIndex = 0
  #generation = 0
  #transport: ClientTransport | undefined
  #welcomed = false
  #welcome: Welcome | undefined
  #nextRequestId = 1
  #lastSeq = 0
  #ackedSeq = 0
  #attempt = 0
  #lastReceivedAtMs = 0
  #serverClose: { code: number; reason: string; retryAfterMs: number | null }
  #closeInfo: ClosedInfo | undefined
  #connectWaiter:
    | { resolve: (welcome: Welcome) => void; reject: (error: Error) => void }
    | undefined
  #ackTimer: ReturnType<typeof setTimeout> | undefined
  #handshakeTimer: ReturnType<typeof setTimeout> | undefined
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined
  #closeTimer: ReturnType<typeof setTimeout> | undefined
  #heartbeat: ReturnType<typeof setInterval> | undefined

  /**
   * @param url where to connect; with several, each attempt takes the next
   *   (for example a TCP URL and a WebSocket fallback)
   * @param options see `ClientOptions`; invalid ones throw at once
   */
  constructor(
    url: string | URL | readonly (string | URL)[],
    options: ClientOptions = {},
  ) {
    super()
    this.urls = Object.freeze(parseClientUrls(url))
    this.#options = resolveClientOptions(options)
    this.#serializer =
      this.#options.serializer === 'json'
        ? new JsonSerializer(64)
        : new MsgpackSerializer(64)
    this.#queue = new OfflineQueue(
      this.#options.maxQueuedMessages,
      this.#options.maxQueuedBytes,
    )
    this.#serverClose = { code: 0, reason: '', retryAfterMs: null }
  }

  /** Makes a client and connects it; resolves once the session is open. */
  static async connect(
    url: string | URL | readonly (string | URL)[],
    options: ClientOptions = {},
  ): Promise<PortcullisClient> {
    const client = new PortcullisClient(url, options)
    await client.connect()
    return client
  }

  /** The first URL (where the first attempt goes). */
  get url(): URL {
    return this.urls[0]!
  }

  /** The current state. */
  get state(): ClientState {
    return this.#state
  }

  /** The session id, once a session opened. */
  get sessionId(): string | undefined {
    return this.#welcome?.sessionId
  }

  /** What the latest WELCOME said. */
  get welcome(): Welcome | undefined {
    return this.#welcome
  }

  /** Highest push sequence number received in the current session. */
  get lastSeq(): number {
    return this.#lastSeq
  }

  /** Requests waiting for their response (sent or queued). */
  get pendingRequests(): number {
    return this.#pending.size
  }

  /** Messages waiting in the offline queue. */
  get queuedMessages(): number {
    return this.#queue.size
  }

  /** True once the client finished for good. */
  get closed(): boolean {
    return this.#state === ClientState.CLOSED
  }

  /** The final close code (0 until closed; 1006 for a lost connection). */
  get closeCode(): number {
    return this.#closeInfo?.code ?? 0
  }

  /**
   * Connects and completes the handshake; resolves with WELCOME. The first
   * connection is tried once: a failure rejects and closes the client.
   * Later losses reconnect by themselves.
   */
  connect(): Promise<Welcome> {
    if (this.#state !== ClientState.IDLE) {
      return Promise.reject(
        new PortcullisError(
          PortcullisErrorCode.INVALID_STATE,
          `connect() needs an idle client; this one is ${this.#state}`,
        ),
      )
    }
    this.#move(ClientState.CONNECTING)
    const opened = new Promise<Welcome>((resolve, reject) => {
      this.#connectWaiter = { resolve, reject }
    })
    void this.#attemptConnect()
    return opened
  }

  /** Calls `listener` for every push; returns a function that stops it. */
  onPush(
    listener: (route: string, payload: unknown, seq: number) => void,
  ): () => void {
    return this.on('push', (push) =>
      listener(push.route, push.payload, push.seq),
    )
  }

  /** Calls `listener` once the client finished, with code and reason. */
  onClose(listener: (code: number, reason: string) => void): () => void {
    return this.on('closed', (info) => listener(info.code, info.reason))
  }

  /**
   * Sends a REQUEST; resolves with the response payload, rejects with a
   * `RemoteError` for an error response. While offline the request waits
   * in the queue; a full queue rejects with PORTCULLIS_ERR_QUEUE_FULL. The
   * timeout counts from this call, time offline included.
   */
  request(
    route: string,
    payload?: unknown,
    options: { timeoutMs?: number } = {},
  ): Promise<unknown> {
    if (this.#isFinishing()) return Promise.reject(this.#closedError())
    const id = this.#takeRequestId()
    const body = this.#serializer.encode(
      envelope.request(id, route, payload ?? null),
    )
    const timeoutMs = options.timeoutMs ?? this.#options.requestTimeoutMs
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id)
        this.#queue.removeRequest(id)
        reject(
          new PortcullisError(
            PortcullisErrorCode.REQUEST_TIMEOUT,
            `request ${route} got no response within ${timeoutMs} ms`,
          ),
        )
      }, timeoutMs)
      const entry = { route, body, resolve, reject, timer, sent: false }
      if (this.#isOpen()) {
        entry.sent = true
        this.#write(body)
      } else if (!this.#queue.add({ body, requestId: id })) {
        clearTimeout(timer)
        reject(this.#queueFullError())
        return
      }
      this.#pending.set(id, entry)
    })
  }

  /**
   * Sends a NOTIFY (no response). While offline it waits in the queue.
   * Returns false when the queue is full and the message was dropped.
   * Throws when the client is closing or closed.
   */
  notify(route: string, payload?: unknown): boolean {
    if (this.#isFinishing()) throw this.#closedError()
    const body = this.#serializer.encode(
      envelope.notify(route, payload ?? null),
    )
    if (this.#isOpen()) {
      this.#write(body)
      return true
    }
    return this.#queue.add({ body, requestId: undefined })
  }

  /** Sends a PING now (with the push acknowledgement); heartbeats do this. */
  ping(): void {
    if (!this.#isOpen()) return
    this.#write(
      this.#serializer.encode(envelope.ping(Date.now(), this.#lastSeq)),
    )
    this.#ackedSeq = this.#lastSeq
  }

  /**
   * Drops the connection now and reconnects with a resume, for example when
   * the device changed networks. Does nothing unless open or reconnecting.
   */
  reconnect(): void {
    if (this.#state === ClientState.OPEN) {
      this.#transport?.destroy()
    } else if (
      this.#state === ClientState.RECONNECTING &&
      this.#reconnectTimer !== undefined
    ) {
      clearTimeout(this.#reconnectTimer)
      this.#reconnectTimer = undefined
      void this.#attemptConnect()
    }
  }

  /**
   * Leaves politely: CLOSE 1000, then waits for the server to end the
   * connection (at most `closeTimeoutMs`). The session ends for good.
   * Requests without an answer and queued messages are given up.
   */
  async close(): Promise<void> {
    if (this.#state === ClientState.CLOSED) return
    const closed = new Promise<void>((resolve) =>
      this.once('closed', () => resolve()),
    )
    if (this.#state === ClientState.CLOSING) return closed
    if (!this.#isOpen()) {
      this.#finish(1000, 'client closed')
      return closed
    }
    this.#move(ClientState.CLOSING)
    this.#write(this.#serializer.encode(envelope.close(1000, 'client leaving')))
    this.#closeTimer = setTimeout(
      () => this.#finish(1000, 'client closed'),
      this.#options.closeTimeoutMs,
    )
    return closed
  }

  /**
   * Drops the connection without a goodbye and finishes; the server keeps
   * the session detached until its resume window ends.
   */
  destroy(): void {
    this.#finish(LOST, 'destroyed by the application')
  }

  #isOpen(): boolean {
    return (
      this.#state === ClientState.OPEN &&
      this.#welcomed &&
      this.#transport !== undefined
    )
  }

  #isFinishing(): boolean {
    return (
      this.#state === ClientState.CLOSING || this.#state === ClientState.CLOSED
    )
  }

  /** The single writer of the state; an illegal move is our bug. */
  #move(to: ClientState): void {
    const from = this.#state
    if (!canMove(from, to)) {
      throw new PortcullisError(
        PortcullisErrorCode.ILLEGAL_TRANSITION,
        `client cannot move from ${from} to ${to}`,
      )
    }
    this.#state = to
    this.emit('state', { from, to })
  }

  #takeRequestId(): number {
    let id = this.#nextRequestId
    while (this.#pending.has(id)) id = id >= MAX_REQUEST_ID ? 1 : id + 1
    this.#nextRequestId = id >= MAX_REQUEST_ID ? 1 : id + 1
    return id
  }

  #write(body: Uint8Array): void {
    this.#transport?.send(body, this.#serializer.name === 'json')
  }

  #helloInfo(): HelloInfo {
    const options = this.#options
    const info: HelloInfo = {}
    if (options.client !== undefined) info.client = options.client
    if (options.credentials !== undefined) {
      info.credentials = options.credentials
    }
    const welcome = this.#welcome
    if (welcome !== undefined) {
      info.resume = {
        sessionId: welcome.sessionId,
        token: welcome.resumeToken,
        lastSeq: this.#lastSeq,
      }
    }
    return info
  }

  async #attemptConnect(): Promise<void> {
    this.#generation += 1
    const generation = this.#generation
    const url = this.urls[this.#urlIndex % this.urls.length]!
    this.#urlIndex += 1
    const current = () => generation === this.#generation
    let transport: ClientTransport
    try {
      transport = await openTransport(url, this.#options, {
        onBody: (body) => {
          if (current()) this.#onBody(body)
        },
        onClose: (error, code, reason) => {
          if (current()) this.#onTransportClosed(error, code, reason)
        },
      })
    } catch (error) {
      if (current()) this.#onTransportClosed(error as Error)
      return
    }
    if (!current()) {
      transport.destroy()
      return
    }
    this.#transport = transport
    this.#welcomed = false
    this.#lastReceivedAtMs = Date.now()
    this.#handshakeTimer = setTimeout(
      () => transport.destroy(),
      this.#options.connectTimeoutMs,
    )
    this.#write(this.#serializer.encode(envelope.hello(this.#helloInfo())))
  }

  #onBody(body: Uint8Array): void {
    this.#lastReceivedAtMs = Date.now()
    let message: ReturnType<typeof parseEnvelope>
    try {
      message = parseEnvelope(this.#serializer.decode(body))
    } catch {
      this.#transport?.destroy()
      return
    }
    switch (message.kind) {
      case Kind.WELCOME:
        this.#onWelcome(message)
        return
      case Kind.RESPONSE:
        this.#onResponse(message.id, message.payload, message.error)
        return
      case Kind.PUSH:
        this.#onPush(message.seq, message.route, message.payload)
        return
      case Kind.PONG: {
        const rttMs = Date.now() - message.clientTimeMs
        this.rttMs = rttMs
        this.clockOffsetMs =
          message.serverTimeMs - (message.clientTimeMs + rttMs / 2)
        return
      }
      case Kind.CLOSE:
        this.#serverClose = {
          code: message.code,
          reason: message.reason,
          retryAfterMs: message.retryAfterMs,
        }
        return
      default:
    }
  }

  #onWelcome(message: EnvelopeOf<typeof Kind.WELCOME>): void {
    if (this.#welcomed) return
    clearTimeout(this.#handshakeTimer)
    this.#welcomed = true
    const previous = this.#welcome
    const welcome: Welcome = {
      sessionId: message.sessionId,
      resumeToken: message.resumeToken,
      resume: message.resume,
      limits: message.limits,
    }
    this.#welcome = welcome
    const outcome = message.resume
    const resumed =
      previous !== undefined &&
      outcome?.resumed === true &&
      message.sessionId === previous.sessionId
    let refusal: string | null = null
    if (previous !== undefined && !resumed) {
      refusal = outcome?.resumed === false ? outcome.reason : 'unknown_session'
      this.#lastSeq = 0
      this.#ackedSeq = 0
      this.#failSentRequests(refusal)
    }
    this.#attempt = 0
    this.#startHeartbeat()

    // Oldest first: requests that had no answer, then what waited offline.
    for (const entry of this.#pending.values()) {
      if (entry.sent && resumed) this.#write(entry.body)
    }
    for (const queued of this.#queue.drain()) {
      const id = queued.requestId
      if (id !== undefined) {
        const entry = this.#pending.get(id)
        if (entry === undefined) continue
        entry.sent = true
      }
      this.#write(queued.body)
    }

    this.#move(ClientState.OPEN)
    if (previous !== undefined && refusal !== null) {
      this.emit('resumeRefused', {
        reason: refusal,
        previousSessionId: previous.sessionId,
        sessionId: welcome.sessionId,
      })
    }
    const replayed = resumed && outcome?.resumed ? outcome.replayed : 0
    this.emit('open', { welcome, resumed, replayed, resumeRefused: refusal })
    this.#connectWaiter?.resolve(welcome)
    this.#connectWaiter = undefined
  }

  #failSentRequests(refusal: string): void {
    for (const [id, entry] of this.#pending) {
      if (!entry.sent) continue
      this.#pending.delete(id)
      clearTimeout(entry.timer)
      entry.reject(new SessionLostError(refusal, entry.route))
    }
  }

  #onResponse(
    id: number,
    payload: unknown,
    error: { code: string; message: string } | null,
  ): void {
    const entry = this.#pending.get(id)
    if (entry === undefined) return
    this.#pending.delete(id)
    clearTimeout(entry.timer)
    if (error === null) entry.resolve(payload)
    else entry.reject(new RemoteError(error.code, error.message))
  }

  #onPush(seq: number, route: string, payload: unknown): void {
    // Seen already: the server replayed from an older lastSeq.
    if (seq <= this.#lastSeq) return
    this.#lastSeq = seq
    const limits = this.#welcome?.limits
    if (seq - this.#ackedSeq >= (limits?.ackEveryPushes ?? 32)) this.#ack()
    else if (this.#ackTimer === undefined) {
      this.#ackTimer = unref(
        setTimeout(() => this.#ack(), limits?.ackIntervalMs ?? 250),
      )
    }
    this.emit('push', { route, payload, seq })
  }

  #ack(): void {
    clearTimeout(this.#ackTimer)
    this.#ackTimer = undefined
    if (!this.#isOpen() || this.#lastSeq === this.#ackedSeq) return
    this.#ackedSeq = this.#lastSeq
    this.#write(this.#serializer.encode(envelope.ack(this.#lastSeq)))
  }

  /** PINGs, and a watch for a connection that went silent (dead). */
  #startHeartbeat(): void {
    clearInterval(this.#heartbeat)
    this.#heartbeat = undefined
    if (!this.#options.heartbeat) return
    const limits = this.#welcome?.limits
    const intervalMs = limits?.heartbeatIntervalMs ?? 15_000
    const idleTimeoutMs = limits?.idleTimeoutMs ?? 45_000
    this.#heartbeat = unref(
      setInterval(() => {
        if (Date.now() - this.#lastReceivedAtMs >= idleTimeoutMs) {
          this.#transport?.destroy()
          return
        }
        this.ping()
      }, intervalMs),
    )
  }

  #stopConnectionTimers(): void {
    clearTimeout(this.#handshakeTimer)
    clearTimeout(this.#ackTimer)
    clearInterval(this.#heartbeat)
    this.#handshakeTimer = undefined
    this.#ackTimer = undefined
    this.#heartbeat = undefined
  }

  #onTransportClosed(error?: Error, wsCode?: number, wsReason?: string): void {
    this.#stopConnectionTimers()
    this.#transport = undefined
    this.#welcomed = false
    const server = this.#serverClose
    this.#serverClose = { code: 0, reason: '', retryAfterMs: null }
    const code = server.code || wsCode || LOST
    const reason = server.reason || wsReason || error?.message || 'lost'

    switch (this.#state) {
      case ClientState.CONNECTING: {
        const failure =
          error instanceof PortcullisError && server.code === 0
            ? error
            : new PortcullisError(
                PortcullisErrorCode.CONNECTION_CLOSED,
                `closed during handshake: ${code} ${reason}`,
                { cause: error },
              )
        this.#connectWaiter?.reject(failure)
        this.#connectWaiter = undefined
        this.#finish(code, reason)
        return
      }
      case ClientState.OPEN:
      case ClientState.RECONNECTING:
        if (!this.#options.reconnect || !RECONNECT_CODES.has(code)) {
          this.#finish(code, reason)
          return
        }
        if (this.#state === ClientState.OPEN) {
          this.#move(ClientState.RECONNECTING)
        }
        this.#scheduleReconnect(code, reason, server.retryAfterMs)
        return
      default:
        this.#finish(code, reason)
    }
  }

  #scheduleReconnect(
    code: number,
    reason: string,
    retryAfterMs: number | null,
  ): void {
    const options = this.#options
    if (this.#attempt >= options.maxReconnectAttempts) {
      this.#finish(code, `gave up after ${this.#attempt} attempts: ${reason}`)
      return
    }
    const jittered = backoffDelayMs(
      options.backoff,
      this.#attempt,
      options.random,
    )
    const delayMs = Math.max(jittered, retryAfterMs ?? 0)
    this.#attempt += 1
    this.emit('reconnecting', { attempt: this.#attempt, delayMs, code, reason })
    if (this.#state !== ClientState.RECONNECTING) return
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined
      void this.#attemptConnect()
    }, delayMs)
  }

  /** Ends everything once: timers, transport, waiting requests, queue. */
  #finish(code: number, reason: string): void {
    if (this.#state === ClientState.CLOSED) return
    this.#stopConnectionTimers()
    clearTimeout(this.#reconnectTimer)
    clearTimeout(this.#closeTimer)
    this.#generation += 1
    this.#transport?.destroy()
    this.#transport = undefined
    this.#closeInfo = { code, reason }

    const error = this.#closedError()
    this.#connectWaiter?.reject(error)
    this.#connectWaiter = undefined
    for (const entry of this.#pending.values()) {
      clearTimeout(entry.timer)
      entry.reject(error)
    }
    this.#pending.clear()
    this.#queue.drain()

    this.#move(ClientState.CLOSED)
    this.emit('closed', { code, reason })
  }

  #closedError(): PortcullisError {
    const info = this.#closeInfo
    const detail =
      info === undefined ? 'closing' : `${info.code} ${info.reason}`
    return new PortcullisError(
      PortcullisErrorCode.CONNECTION_CLOSED,
      `client closed (${detail})`,
    )
  }

  #queueFullError(): PortcullisError {
    return new PortcullisError(
      PortcullisErrorCode.QUEUE_FULL,
      `offline queue full (maxQueuedMessages ${this.#options.maxQueuedMessages}` +
        `, maxQueuedBytes ${this.#options.maxQueuedBytes})`,
    )
  }
}
