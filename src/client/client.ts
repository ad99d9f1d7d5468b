import { type EnvelopeOf, envelope } from '../codec/envelope.js'
import { JsonSerializer } from '../codec/json-serializer.js'
import type { Kind } from '../codec/kinds.js'
import { MsgpackSerializer } from '../codec/msgpack-serializer.js'
import type { Serializer } from '../codec/serializer.js'
import {
  ClientConnection,
  type ConnectionEnd,
  connectionEnd,
  LOST,
} from './client-connection.js'
import {
  closedError,
  handshakeFailure,
  illegalMoveError,
  notIdleError,
} from './client-errors.js'
import type { ClientEvents, ClosedInfo, Welcome } from './client-events.js'
import {
  type ClientOptions,
  parseClientUrls,
  type ResolvedClientOptions,
  resolveClientOptions,
} from './client-options.js'
import { ClientState, canMove } from './client-state.js'
import { helloInfo, readWelcome } from './handshake.js'
import { Outbox } from './outbox.js'
import { PushAcknowledger } from './push-acknowledger.js'
import { ReconnectPolicy } from './reconnect-policy.js'
import { TransportDialer } from './transport-dialer.js'
import { TypedEmitter } from './typed-emitter.js'

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
  readonly #outbox: Outbox
  readonly #acks = new PushAcknowledger((seq) => this.#sendAck(seq))
  readonly #reconnects: ReconnectPolicy
  readonly #dialer: TransportDialer
  #state: ClientState = ClientState.IDLE
  #connection: ClientConnection | undefined
  #welcome: Welcome | undefined
  #closeInfo: ClosedInfo | undefined
  #connectWaiter:
    | { resolve: (welcome: Welcome) => void; reject: (error: Error) => void }
    | undefined
  #closeTimer: ReturnType<typeof setTimeout> | undefined

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
    this.#outbox = new Outbox(
      this.#options.maxQueuedMessages,
      this.#options.maxQueuedBytes,
      { isOpen: () => this.#isOpen(), write: (body) => this.#write(body) },
    )
    this.#reconnects = new ReconnectPolicy(this.#options)
    this.#dialer = new TransportDialer(this.urls, this.#options, {
      onBody: (body) => this.#connection?.receive(body),
      onClose: (error, code, reason) =>
        this.#onTransportClosed(error, code, reason),
    })
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
    return this.#acks.lastSeq
  }

  /** Requests waiting for their response (sent or queued). */
  get pendingRequests(): number {
    return this.#outbox.pendingRequests
  }

  /** Messages waiting in the offline queue. */
  get queuedMessages(): number {
    return this.#outbox.queuedMessages
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
      return Promise.reject(notIdleError(this.#state))
    }
    this.#move(ClientState.CONNECTING)
    const opened = new Promise<Welcome>((resolve, reject) => {
      this.#connectWaiter = { resolve, reject }
    })
    this.#attemptConnect()
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
    if (this.#isFinishing()) return Promise.reject(closedError(this.#closeInfo))
    const id = this.#outbox.takeRequestId()
    const body = this.#serializer.encode(
      envelope.request(id, route, payload ?? null),
    )
    const timeoutMs = options.timeoutMs ?? this.#options.requestTimeoutMs
    return this.#outbox.request(id, route, body, timeoutMs)
  }

  /**
   * Sends a NOTIFY (no response). While offline it waits in the queue.
   * Returns false when the queue is full and the message was dropped.
   * Throws when the client is closing or closed.
   */
  notify(route: string, payload?: unknown): boolean {
    if (this.#isFinishing()) throw closedError(this.#closeInfo)
    const body = this.#serializer.encode(
      envelope.notify(route, payload ?? null),
    )
    return this.#outbox.notify(body)
  }

  /** Sends a PING now (with the push acknowledgement); heartbeats do this. */
  ping(): void {
    if (!this.#isOpen()) return
    this.#connection?.sendMessage(envelope.ping(Date.now(), this.#acks.lastSeq))
    this.#acks.markAcknowledged()
  }

  /**
   * Drops the connection now and reconnects with a resume, for example when
   * the device changed networks. Does nothing unless open or reconnecting.
   */
  reconnect(): void {
    if (this.#state === ClientState.OPEN) {
      this.#connection?.destroy()
    } else if (
      this.#state === ClientState.RECONNECTING &&
      this.#reconnects.cancel()
    ) {
      this.#attemptConnect()
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
    this.#connection?.sendMessage(envelope.close(1000, 'client leaving'))
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
      this.#state === ClientState.OPEN && this.#connection?.welcomed === true
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
    if (!canMove(from, to)) throw illegalMoveError(from, to)
    this.#state = to
    this.emit('state', { from, to })
  }

  #write(body: Uint8Array): void {
    this.#connection?.send(body)
  }

  #sendAck(seq: number): boolean {
    if (!this.#isOpen()) return false
    this.#connection?.sendMessage(envelope.ack(seq))
    return true
  }

  #attemptConnect(): void {
    void this.#dialer.dial((transport) => {
      this.#connection = new ClientConnection(
        transport,
        this.#serializer,
        {
          welcome: (message) => this.#onWelcome(message),
          response: (message) =>
            this.#outbox.settle(message.id, message.payload, message.error),
          push: ({ seq, route, payload }) => {
            if (!this.#acks.receive(seq, this.#welcome?.limits)) return
            this.emit('push', { route, payload, seq })
          },
          pong: (rttMs, clockOffsetMs) => {
            this.rttMs = rttMs
            this.clockOffsetMs = clockOffsetMs
          },
          beat: () => this.ping(),
        },
        this.#options,
        helloInfo(this.#options, this.#welcome, this.#acks.lastSeq),
      )
    })
  }

  #onWelcome(message: EnvelopeOf<typeof Kind.WELCOME>): void {
    const { welcome, resumed, refused, replayed } = readWelcome(
      message,
      this.#welcome,
    )
    this.#welcome = welcome
    if (refused !== null) {
      this.#acks.reset()
      this.#outbox.failSent(refused.reason)
    }
    this.#reconnects.opened(welcome.limits.heartbeatIntervalMs)
    this.#outbox.flush(resumed)

    this.#move(ClientState.OPEN)
    if (refused !== null) this.emit('resumeRefused', refused)
    const resumeRefused = refused?.reason ?? null
    this.emit('open', { welcome, resumed, replayed, resumeRefused })
    this.#connectWaiter?.resolve(welcome)
    this.#connectWaiter = undefined
  }

  #onTransportClosed(error?: Error, wsCode?: number, wsReason?: string): void {
    this.#reconnects.lost()
    this.#acks.stop()
    const server = this.#connection?.end()
    this.#connection = undefined
    const end = connectionEnd(server, error, wsCode, wsReason)

    switch (this.#state) {
      case ClientState.CONNECTING:
        this.#connectWaiter?.reject(handshakeFailure(end, error))
        this.#connectWaiter = undefined
        this.#finish(end.code, end.reason)
        return
      case ClientState.OPEN:
      case ClientState.RECONNECTING:
        this.#reconnectAfter(end)
        return
      default:
        this.#finish(end.code, end.reason)
    }
  }

  /** Tries again after a backoff delay, or finishes when that cannot help. */
  #reconnectAfter({ code, reason, retryAfterMs }: ConnectionEnd): void {
    const reconnects = this.#reconnects
    if (!reconnects.allows(code)) {
      this.#finish(code, reason)
      return
    }
    if (this.#state === ClientState.OPEN) this.#move(ClientState.RECONNECTING)
    const delayMs = reconnects.nextDelayMs(retryAfterMs)
    if (delayMs === undefined) {
      const attempts = reconnects.attempt
      this.#finish(code, `gave up after ${attempts} attempts: ${reason}`)
      return
    }
    const attempt = reconnects.attempt
    this.emit('reconnecting', { attempt, delayMs, code, reason })
    if (this.#state !== ClientState.RECONNECTING) return
    reconnects.schedule(delayMs, () => this.#attemptConnect())
  }

  /** Ends everything once: timers, transport, waiting requests, queue. */
  #finish(code: number, reason: string): void {
    if (this.#state === ClientState.CLOSED) return
    this.#acks.stop()
    this.#reconnects.cancel()
    clearTimeout(this.#closeTimer)
    this.#dialer.abandon()
    this.#connection?.destroy()
    this.#connection = undefined
    this.#closeInfo = { code, reason }

    const error = closedError(this.#closeInfo)
    this.#connectWaiter?.reject(error)
    this.#connectWaiter = undefined
    this.#outbox.clear(error)

    this.#move(ClientState.CLOSED)
    this.emit('closed', { code, reason })
  }
}
