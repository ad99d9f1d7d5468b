import { EventEmitter } from 'node:events'
import type { Socket } from 'node:net'
import type { Logger } from 'pino'
import type { WebSocket } from 'ws'
import {
  CloseCode,
  encodeFrame,
  envelope,
  JsonSerializer,
  MsgpackSerializer,
  type PortcullisError,
  type Serializer,
  TextSerializer,
} from '../codec/index.js'
import {
  type AuthHook,
  allowAnonymous,
  type Clock,
  LocalSessionRegistry,
  Session,
  type SessionHooks,
  type SessionLimits,
  type SessionRegistry,
  systemClock,
  type TransportName,
} from '../session/index.js'
import { Admission } from './admission.js'
import type { Connection } from './connection.js'
import type { ConnectionHost } from './connection-host.js'
import { Dispatcher } from './dispatcher.js'
import type { GatewayEvents, GatewayParts } from './gateway-parts.js'
import { type Group, Groups } from './group.js'
import type { Handler } from './handler-context.js'
import type { HandshakeHost, ResumeRefusal } from './handshake.js'
import { Inbound } from './inbound.js'
import { LineConnection } from './line-connection.js'
import {
  endRefused,
  type GatewayAddresses,
  type ListenerHost,
  Listeners,
} from './listeners.js'
import { createLogger } from './logger.js'
import { GatewayMetrics, type TrafficCounts } from './metrics.js'
import {
  type GatewayOptions,
  type ResolvedOptions,
  resolveOptions,
} from './options.js'
import { SessionBook } from './session-book.js'
import {
  announcedLimits,
  binaryLimits,
  lineLimits,
  sweepIntervalMs,
} from './session-limits.js'
import { StreamConnection } from './stream-connection.js'
import { WsConnection } from './ws-connection.js'

export type { GatewayEvents, GatewayParts } from './gateway-parts.js'
export type { GatewayAddresses } from './listeners.js'

/**
 * The gateway: listeners for every transport, one session per client,
 * routing to handlers, groups, the ops endpoint and a graceful drain.
 */
export class Gateway
  extends EventEmitter<GatewayEvents>
  implements ConnectionHost, HandshakeHost, ListenerHost
{
  readonly options: ResolvedOptions
  readonly logger: Logger
  readonly metrics = new GatewayMetrics()
  readonly registry: SessionRegistry
  readonly auth: AuthHook
  readonly clock: Clock
  readonly limits: Readonly<Record<string, number>>
  readonly #dispatcher: Dispatcher
  readonly #groups = new Groups()
  readonly #book: SessionBook
  readonly #msgpack: MsgpackSerializer
  readonly #json: JsonSerializer
  readonly #text: TextSerializer
  readonly #binaryLimits: SessionLimits
  readonly #lineLimits: SessionLimits
  readonly #hooks: SessionHooks
  readonly #listeners: Listeners = new Listeners(this)
  readonly #inbound: Inbound
  #sweepTimer: NodeJS.Timeout | undefined
  #ready = false
  #draining = false
  /** False once a drain's delay is over: new connections get 1013. */
  #accepting = true
  readonly #admission: Admission
  /** The CLOSE 1013 a refused stream connection gets, framed once. */
  readonly #busyFrame: Buffer

  constructor(options: GatewayOptions = {}, parts: GatewayParts = {}) {
    super()
    this.options = resolveOptions(options)
    this.logger = parts.logger ?? createLogger(this.options.logLevel)
    this.clock = parts.clock ?? systemClock
    this.auth = parts.auth ?? allowAnonymous
    this.registry =
      parts.registry ?? new LocalSessionRegistry(this.options.nodeId)
    this.limits = announcedLimits(this.options)
    this.#msgpack = new MsgpackSerializer(this.options.maxNestingDepth)
    this.#json = new JsonSerializer(this.options.maxNestingDepth)
    this.#text = new TextSerializer(parts.lineRenderer)
    this.#busyFrame = encodeFrame(
      this.#msgpack.encode(
        envelope.close(
          CloseCode.TRY_AGAIN_LATER,
          'server busy',
          this.options.retryAfterMs,
        ),
      ),
    )
    this.#admission = new Admission(this.options, this.metrics, this.logger)
    this.#book = new SessionBook(
      this.metrics,
      this.registry,
      this.logger,
      (session) => this.#emitSafely('sessionClosed', session),
    )
    this.#binaryLimits = binaryLimits(this.options)
    this.#lineLimits = lineLimits(this.options)
    this.#dispatcher = new Dispatcher(
      this.options.handlerTimeoutMs,
      this.clock,
      this.metrics,
      this.logger,
    )
    this.#inbound = new Inbound({
      handshake: this,
      dispatcher: this.#dispatcher,
      msgpack: this.#msgpack,
      json: this.#json,
      clock: this.clock,
      metrics: this.metrics,
      logger: this.logger,
      lineRoute: this.options.lineRoute,
      wsAllowText: this.options.wsAllowText,
    })
    this.#hooks = {
      onTransition: (session, from, to, event) =>
        this.#book.transition(session, from, to, event),
      onShed: (_session, what) => {
        this.metrics.dropped.inc({ what })
        if (what === 'replay') this.metrics.replayOverflows.inc()
      },
    }
  }

  /** Registers the handler of a REQUEST or NOTIFY route. */
  route(route: string, handler: Handler): this {
    this.#dispatcher.route(route, handler)
    return this
  }

  /** The group called `name`, made on first use. */
  group(name: string): Group {
    return this.#groups.get(name)
  }

  /**
   * Forgets the group called `name` (a finished match, an emptied room);
   * its members stay connected. Groups are kept until removed.
   */
  deleteGroup(name: string): boolean {
    return this.#groups.delete(name)
  }

  /** Sessions not yet closed (any state). */
  get liveSessions(): number {
    return this.#book.live.size
  }

  /** True from the start of a drain. */
  get draining(): boolean {
    return this.#draining
  }

  /** Closes a session with 4006 (kicked by operator). */
  async kick(sessionId: string, reason = 'kicked'): Promise<boolean> {
    const session = await this.registry.get(sessionId)
    if (session === undefined) return false
    session.close(CloseCode.KICKED, reason)
    return true
  }

  /** Where each listener is bound (after `listen`). */
  get addresses(): GatewayAddresses {
    return this.#listeners.addresses
  }

  /** Binds every listener that is not 'off'; resolves with the addresses. */
  async listen(): Promise<GatewayAddresses> {
    this.#startSweep()
    const addresses = await this.#listeners.listen({
      ready: () => this.#ready && !this.#draining,
      registry: this.metrics.registry,
    })
    this.#ready = true
    this.logger.info({ addresses }, 'gateway listening')
    return addresses
  }

  /**
   * Loads the certificate files again (SIGHUP); new handshakes use them,
   * open sessions are not touched. False when TLS is off or loading failed.
   */
  reloadTls(): Promise<boolean> {
    return this.#listeners.reloadTls()
  }

  // ListenerHost

  refusal(socket: Socket): string | undefined {
    return this.#admission.refusal(socket.remoteAddress ?? '', !this.#accepting)
  }

  acceptStream(
    socket: Socket,
    name: typeof TransportName.TCP | typeof TransportName.TLS,
  ): void {
    if (this.refusal(socket) !== undefined) {
      endRefused(socket, this.#busyFrame, this.options.closeGraceMs)
      return
    }
    const connection = new StreamConnection(name, socket, this)
    this.#open(connection, undefined, this.#binaryLimits)
  }

  acceptWebSocket(
    ws: WebSocket,
    socket: Socket,
    name: typeof TransportName.WS | typeof TransportName.WSS,
    acceptedAtMs: number,
  ): void {
    const connection = new WsConnection(name, ws, socket, this)
    this.#open(connection, undefined, this.#binaryLimits, acceptedAtMs)
  }

  now(): number {
    return this.clock.now()
  }

  acceptLine(socket: Socket): void {
    if (this.refusal(socket) !== undefined) {
      const line = '*** server busy, try again later (1013)'
      endRefused(socket, this.#text.line(line), this.options.closeGraceMs)
      return
    }
    const connection = new LineConnection(socket, this)
    const session = this.#open(connection, this.#text, this.#lineLimits)
    session.helloReceived()
    session.authenticated(undefined, undefined)
    this.registry.add(session).then(
      () => this.#emitSafely('session', session, false),
      (error: unknown) => this.logger.error({ err: String(error) }, 'registry'),
    )
  }

  #open(
    connection: Connection,
    serializer: Serializer | undefined,
    limits: SessionLimits,
    acceptedAtMs: number = this.clock.now(),
  ): Session {
    this.#admission.opened(connection.remoteAddress)
    const session = new Session(
      this.registry.newSessionId(),
      connection,
      serializer ?? this.#msgpack,
      limits,
      this.#hooks,
      this.clock,
      acceptedAtMs,
    )
    connection.session = session
    this.#book.add(session)
    this.logger.trace({ sessionId: session.id }, 'connection accepted')
    return session
  }

  // ConnectionHost

  traffic(name: TransportName): TrafficCounts {
    return this.metrics.traffic[name]
  }

  onBody(connection: Connection, body: Buffer, isText: boolean): void {
    this.#inbound.onBody(connection, body, isText)
  }

  onPeerError(connection: Connection, error: PortcullisError): void {
    this.#inbound.peerError(connection.session, error)
  }

  onSocketError(connection: Connection, error: Error): void {
    this.#inbound.socketError(connection, error)
  }

  onConnectionClosed(connection: Connection): void {
    this.#admission.closed(connection.remoteAddress)
    const session = connection.session
    if (session.transport !== connection) return
    if (connection.leftCleanly) session.close(CloseCode.NORMAL, 'client left')
    session.transportLost()
  }

  // HandshakeHost

  expiredReason(sessionId: string): ResumeRefusal | undefined {
    return this.#book.expiredReason(sessionId)
  }

  onOpened(session: Session, resumed: boolean): void {
    this.logger.debug(
      { sessionId: session.id, transport: session.transport?.name, resumed },
      'session open',
    )
    this.#emitSafely('session', session, resumed)
  }

  #emitSafely<K extends keyof GatewayEvents>(
    event: K,
    ...args: GatewayEvents[K]
  ): void {
    try {
      this.emit(event, ...(args as never))
    } catch (error) {
      this.logger.error(
        { event, err: String((error as Error)?.stack ?? error).slice(0, 500) },
        'application listener failed',
      )
    }
  }

  #startSweep(): void {
    if (this.#sweepTimer !== undefined) return
    const intervalMs = sweepIntervalMs(this.options)
    this.#sweepTimer = setInterval(() => this.sweep(), intervalMs)
    this.#sweepTimer.unref()
  }

  /**
   * Checks every deadline once: sessions' state deadlines and handlers'
   * timeouts. Runs periodically; tests with a manual clock call it.
   */
  sweep(): void {
    const now = this.clock.now()
    this.#book.tick(now)
    this.#dispatcher.sweep(now)
  }

  /**
   * Drains and stops: readiness turns 503, after `drainDelayMs` listeners
   * stop accepting, open sessions get CLOSE 1001 with `retryAfterMs` once
   * their requests in flight answered; after `drainTimeoutMs` whatever is
   * left is dropped. Resolves when everything is closed.
   */
  async close(): Promise<void> {
    if (this.#draining) return
    this.#draining = true
    this.logger.info({ sessions: this.#book.live.size }, 'drain started')
    if (this.options.drainDelayMs > 0 && this.#ready) {
      await delay(this.options.drainDelayMs)
    }
    // Until here new players were still let in: a load balancer may take
    // the delay to notice the failing readiness check.
    this.#accepting = false
    const listenersClosed = this.#listeners.closeGamePorts()
    for (const session of [...this.#book.live]) {
      session.close(CloseCode.GOING_AWAY, 'server going away', {
        retryAfterMs: this.options.retryAfterMs,
        afterPending: true,
      })
    }
    const deadline = Date.now() + this.options.drainTimeoutMs
    while (this.#book.live.size > 0 && Date.now() < deadline) {
      await delay(20)
      this.sweep()
    }
    this.#dispatcher.abortAll(new Error('gateway stopped'))
    for (const session of [...this.#book.live]) {
      session.abort(CloseCode.GOING_AWAY, 'drain timeout')
    }
    await listenersClosed
    if (this.#sweepTimer !== undefined) clearInterval(this.#sweepTimer)
    await this.#listeners.closeOps()
    this.#ready = false
    this.logger.info('gateway stopped')
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
