import { EventEmitter } from 'node:events'
import type { Server as HttpServer, IncomingMessage } from 'node:http'
import { createServer as createHttpServer } from 'node:http'
import {
  createServer as createHttpsServer,
  type Server as HttpsServer,
} from 'node:https'
import {
  createServer as createNetServer,
  type Server,
  type Socket,
} from 'node:net'
import type { Duplex } from 'node:stream'
import { createServer as createTlsServer, type TLSSocket } from 'node:tls'
import type { Logger } from 'pino'
import { WebSocketServer } from 'ws'
import {
  CloseCode,
  encodeFrame,
  envelope,
  JSON_FIRST_BYTE,
  JsonSerializer,
  Kind,
  type LineRenderer,
  MsgpackSerializer,
  type PortcullisError,
  parseEnvelope,
  type Serializer,
  TextSerializer,
} from '../codec/index.js'
import {
  type AuthHook,
  allowAnonymous,
  type Clock,
  LocalSessionRegistry,
  Session,
  type SessionEvent,
  type SessionHooks,
  type SessionLimits,
  type SessionRegistry,
  SessionState,
  systemClock,
  TransportName,
} from '../session/index.js'
import {
  dropFailedHandshakes,
  type TlsContextStore,
  tlsServerOptions,
} from '../tls/index.js'
import type { Connection } from './connection.js'
import type { ConnectionHost } from './connection-host.js'
import { Dispatcher } from './dispatcher.js'
import { Group } from './group.js'
import type { Handler } from './handler-context.js'
import { type HandshakeHost, handleHello, ResumeRefusal } from './handshake.js'
import { LineConnection } from './line-connection.js'
import { type BoundAddress, closeServer, listen } from './listen.js'
import { createLogger } from './logger.js'
import { GatewayMetrics, type TrafficCounts } from './metrics.js'
import { createOpsServer } from './ops-server.js'
import {
  type GatewayOptions,
  type ResolvedOptions,
  resolveOptions,
} from './options.js'
import { announcedLimits, binaryLimits, lineLimits } from './session-limits.js'
import { StreamConnection } from './stream-connection.js'
import { openTlsStore, resolveTlsSource } from './tls-setup.js'
import { WsConnection } from './ws-connection.js'

/** Parts a caller may supply instead of the defaults. */
export interface GatewayParts {
  /** Decides logins; default: everyone is an anonymous player. */
  auth?: AuthHook
  /** Default: the system clock. Tests inject a manual one. */
  clock?: Clock
  /** Default: pino on stdout at `options.logLevel`. */
  logger?: Logger
  /** Default: an in-process registry. */
  registry?: SessionRegistry
  /** How pushes look on the line transport. */
  lineRenderer?: LineRenderer
}

/** The listeners a gateway has bound, by name. */
export type GatewayAddresses = Partial<
  Record<'tcp' | 'ws' | 'line' | 'tls' | 'wss' | 'ops', BoundAddress>
>

/** Events a gateway emits for the application. */
export interface GatewayEvents {
  /** A session opened: a login, a resume, or a line connection. */
  session: [session: Session, resumed: boolean]
  /**
   * A session left the game for good: it began closing, or its resume
   * window passed. Fires once per session that opened.
   */
  sessionClosed: [session: Session]
}

const MAX_EXPIRED_REMEMBERED = 10_000
const WS_ERROR_CLOSE_CODES: Readonly<Record<string, number>> = {
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: CloseCode.MESSAGE_TOO_BIG,
  WS_ERR_INVALID_UTF8: CloseCode.INVALID_PAYLOAD,
}

/**
 * The gateway: listeners for every transport, one session per client,
 * routing to handlers, groups, the ops endpoint and a graceful drain.
 */
export class Gateway
  extends EventEmitter<GatewayEvents>
  implements ConnectionHost, HandshakeHost
{
  readonly options: ResolvedOptions
  readonly logger: Logger
  readonly metrics = new GatewayMetrics()
  readonly registry: SessionRegistry
  readonly auth: AuthHook
  readonly clock: Clock
  readonly limits: Readonly<Record<string, number>>
  readonly addresses: GatewayAddresses = {}
  readonly #dispatcher: Dispatcher
  readonly #groups = new Map<string, Group>()
  readonly #live = new Set<Session>()
  readonly #expired = new Map<string, ResumeRefusal>()
  readonly #msgpack: MsgpackSerializer
  readonly #json: JsonSerializer
  readonly #text: TextSerializer
  readonly #binaryLimits: SessionLimits
  readonly #lineLimits: SessionLimits
  readonly #hooks: SessionHooks
  readonly #servers: Array<Server | HttpServer> = []
  #wss: WebSocketServer | undefined
  #tlsStore: TlsContextStore | undefined
  #ops: HttpServer | undefined
  #sweepTimer: NodeJS.Timeout | undefined
  #ready = false
  #draining = false
  #connections = 0
  /** Open connections by remote address; kept only with a per-IP limit. */
  readonly #connectionsByIp = new Map<string, number>()

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
    this.#binaryLimits = binaryLimits(this.options)
    this.#lineLimits = lineLimits(this.options)
    this.#dispatcher = new Dispatcher(
      this.options.handlerTimeoutMs,
      this.clock,
      this.metrics,
      this.logger,
    )
    this.#hooks = {
      onTransition: (session, from, to, event) =>
        this.#onTransition(session, from, to, event),
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
    let group = this.#groups.get(name)
    if (group === undefined) {
      group = new Group(name)
      this.#groups.set(name, group)
    }
    return group
  }

  /** Sessions not yet closed (any state). */
  get liveSessions(): number {
    return this.#live.size
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

  /** Binds every listener that is not 'off'; resolves with the addresses. */
  async listen(): Promise<GatewayAddresses> {
    const options = this.options
    const backlog = options.maxListenBacklog
    this.#startSweep()
    if (options.opsPort !== 'off') {
      this.#ops = createOpsServer({
        ready: () => this.#ready && !this.#draining,
        registry: this.metrics.registry,
      })
      this.addresses.ops = await listen(
        this.#ops,
        options.opsPort,
        options.opsHost,
        backlog,
      )
    }
    if (options.tcpPort !== 'off') {
      const server = this.#netServer((socket) => this.#acceptStream(socket))
      this.addresses.tcp = await listen(
        server,
        options.tcpPort,
        options.host,
        backlog,
      )
    }
    if (options.wsPort !== 'off') {
      const server = this.#httpServer(TransportName.WS)
      this.addresses.ws = await listen(
        server,
        options.wsPort,
        options.host,
        backlog,
      )
    }
    if (options.linePort !== 'off') {
      const server = this.#netServer((socket) => this.#acceptLine(socket))
      this.addresses.line = await listen(
        server,
        options.linePort,
        options.host,
        backlog,
      )
    }
    await this.#listenTls()
    this.#ready = true
    this.logger.info({ addresses: this.addresses }, 'gateway listening')
    return this.addresses
  }

  async #listenTls(): Promise<void> {
    const options = this.options
    if (options.tlsPort === 'off' && options.wssPort === 'off') return
    const source = await resolveTlsSource(options, this.logger)
    if (source === undefined) return
    const store = await openTlsStore(source, this.logger)
    this.#tlsStore = store
    const tlsOptions = tlsServerOptions(store, {
      handshakeTimeoutMs: options.tlsHandshakeTimeoutMs,
    })
    const backlog = options.maxListenBacklog
    if (options.tlsPort !== 'off') {
      const server = createTlsServer(tlsOptions, (socket) =>
        this.#acceptStream(socket, TransportName.TLS),
      )
      this.#secureServer(server, store, TransportName.TLS)
      this.addresses.tls = await listen(
        server,
        options.tlsPort,
        options.host,
        backlog,
      )
    }
    if (options.wssPort !== 'off') {
      const server = this.#httpServer(
        TransportName.WSS,
        tlsOptions,
      ) as HttpsServer
      this.#secureServer(server, store, TransportName.WSS)
      this.addresses.wss = await listen(
        server,
        options.wssPort,
        options.host,
        backlog,
      )
    }
  }

  /** Follows certificate reloads; drops and counts failed handshakes. */
  #secureServer(
    server: Parameters<typeof dropFailedHandshakes>[0],
    store: TlsContextStore,
    name: TransportName,
  ): void {
    store.attach(server)
    dropFailedHandshakes(server)
    server.on('tlsClientError', (error: Error, socket: TLSSocket) => {
      this.metrics.refused.inc({ reason: 'tls_handshake' })
      this.logger.debug(
        {
          transport: name,
          remoteAddress: socket.remoteAddress,
          err: (error as { code?: string }).code ?? error.message,
        },
        'TLS handshake failed',
      )
    })
    server.on('error', (error) =>
      this.logger.error({ err: error.message }, 'listener error'),
    )
    this.#servers.push(server)
  }

  /**
   * Loads the certificate files again (SIGHUP); new handshakes use them,
   * open sessions are not touched. False when TLS is off or loading failed.
   */
  async reloadTls(): Promise<boolean> {
    if (this.#tlsStore === undefined) return false
    const result = await this.#tlsStore.reload()
    return result.ok
  }

  #netServer(onSocket: (socket: Socket) => void): Server {
    const server = createNetServer(
      {
        noDelay: this.options.noDelay,
        keepAlive: this.options.keepAlive,
        keepAliveInitialDelay: this.options.keepAliveInitialDelayMs,
      },
      onSocket,
    )
    server.on('error', (error) =>
      this.logger.error({ err: error.message }, 'listener error'),
    )
    this.#servers.push(server)
    return server
  }

  #httpServer(
    name: typeof TransportName.WS | typeof TransportName.WSS,
    tlsOptions?: ReturnType<typeof tlsServerOptions>,
  ): HttpServer {
    const timeoutMs = this.options.handshakeTimeoutMs
    const httpOptions = {
      requestTimeout: timeoutMs,
      headersTimeout: timeoutMs,
      connectionsCheckingInterval: Math.min(timeoutMs, 1_000),
      noDelay: this.options.noDelay,
      keepAlive: this.options.keepAlive,
    }
    const server: HttpServer =
      tlsOptions === undefined
        ? createHttpServer(httpOptions)
        : createHttpsServer({ ...httpOptions, ...tlsOptions })
    this.#wss ??= new WebSocketServer({
      noServer: true,
      maxPayload: this.options.maxFrameBytes,
      perMessageDeflate: this.options.wsPerMessageDeflate,
      clientTracking: false,
    })
    server.on('request', (_request, response) => {
      response
        .writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket' })
        .end('this port speaks WebSocket\n')
    })
    server.on('upgrade', (request, socket, head) =>
      this.#upgrade(request, socket, head, name),
    )
    server.on('clientError', (_error, socket) => socket.destroy())
    if (tlsOptions !== undefined) return server
    server.on('error', (error) =>
      this.logger.error({ err: error.message }, 'listener error'),
    )
    this.#servers.push(server)
    return server
  }

  #upgrade(
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    name: typeof TransportName.WS | typeof TransportName.WSS,
  ): void {
    socket.on('error', () => socket.destroy())
    const path = (request.url ?? '/').split('?')[0]
    if (path !== this.options.wsPath) {
      this.#endRefused(
        socket,
        'HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n',
      )
      return
    }
    const refusal = this.#refusal(socket as Socket)
    if (refusal !== undefined) {
      const seconds = Math.ceil(this.options.retryAfterMs / 1000)
      this.#endRefused(
        socket,
        'HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n' +
          `Retry-After: ${seconds}\r\nContent-Length: 0\r\n\r\n`,
      )
      return
    }
    const wss = this.#wss as WebSocketServer
    wss.handleUpgrade(request, socket, head, (ws) => {
      const connection = new WsConnection(name, ws, socket as Socket, this)
      this.#open(connection, undefined, this.#binaryLimits)
    })
  }

  /** Why a new connection must be refused (1013), if it must. */
  #refusal(socket: Socket): string | undefined {
    const options = this.options
    let reason: string | undefined
    if (this.#draining) reason = 'draining'
    else if (this.#connections >= options.maxConnections) {
      reason = 'max_connections'
    } else if (
      options.maxConnectionsPerIp > 0 &&
      (this.#connectionsByIp.get(socket.remoteAddress ?? '') ?? 0) >=
        options.maxConnectionsPerIp
    ) {
      reason = 'max_connections_per_ip'
    } else if (this.#handshakes() >= options.maxHandshakes) {
      reason = 'max_handshakes'
    }
    if (reason !== undefined) {
      this.metrics.refused.inc({ reason })
      this.logger.debug(
        { remoteAddress: socket.remoteAddress, reason },
        'connection refused',
      )
    }
    return reason
  }

  /**
   * Writes a refusal and ends the socket. A peer that neither reads nor
   * closes would keep it half-open forever: it is dropped after
   * `closeGraceMs`.
   */
  #endRefused(socket: Duplex, data: string | Buffer): void {
    socket.on('error', () => socket.destroy())
    socket.end(data)
    const timer = setTimeout(() => socket.destroy(), this.options.closeGraceMs)
    timer.unref()
    socket.once('close', () => clearTimeout(timer))
  }

  #handshakes(): number {
    const counts = this.metrics.sessionsByState
    return counts.handshaking + counts.authenticating
  }

  #acceptStream(
    socket: Socket,
    name:
      | typeof TransportName.TCP
      | typeof TransportName.TLS = TransportName.TCP,
  ): void {
    if (this.#refusal(socket) !== undefined) {
      const body = this.#msgpack.encode(
        envelope.close(
          CloseCode.TRY_AGAIN_LATER,
          'server busy',
          this.options.retryAfterMs,
        ),
      )
      this.#endRefused(socket, encodeFrame(body))
      return
    }
    const connection = new StreamConnection(name, socket, this)
    this.#open(connection, undefined, this.#binaryLimits)
  }

  #acceptLine(socket: Socket): void {
    if (this.#refusal(socket) !== undefined) {
      const line = '*** server busy, try again later (1013)'
      this.#endRefused(socket, this.#text.line(line))
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
  ): Session {
    this.#connections += 1
    if (this.options.maxConnectionsPerIp > 0) {
      const address = connection.remoteAddress
      const count = this.#connectionsByIp.get(address) ?? 0
      this.#connectionsByIp.set(address, count + 1)
    }
    const session = new Session(
      this.registry.newSessionId(),
      connection,
      serializer ?? this.#msgpack,
      limits,
      this.#hooks,
      this.clock,
    )
    connection.session = session
    this.metrics.sessionsByState.handshaking += 1
    this.#live.add(session)
    this.logger.trace({ sessionId: session.id }, 'connection accepted')
    return session
  }

  // ConnectionHost

  traffic(name: TransportName): TrafficCounts {
    return this.metrics.traffic[name]
  }

  onBody(connection: Connection, body: Buffer, isText: boolean): void {
    const session = connection.session
    // A connection whose session was taken over is being closed (4002);
    // what it still sends must not reach the session's new owner.
    if (session.transport !== connection) return
    const state = session.state
    if (state === SessionState.OPEN) {
      session.touch()
      if (connection.name === TransportName.LINE) {
        const line = body.toString('utf8')
        this.#dispatcher.notify(session, this.options.lineRoute, line)
        return
      }
      this.#onEnvelope(connection, session, body, isText)
      return
    }
    if (state === SessionState.HANDSHAKING) {
      this.#onFirstBody(connection, session, body, isText)
      return
    }
    if (state === SessionState.AUTHENTICATING) {
      this.#protocolError(
        session,
        CloseCode.PROTOCOL_ERROR,
        'sent before WELCOME',
      )
    }
  }

  #onFirstBody(
    connection: Connection,
    session: Session,
    body: Buffer,
    isText: boolean,
  ): void {
    const json =
      isText || (connection.name !== 'ws' && body[0] === JSON_FIRST_BYTE)
    if (json && isText && !this.options.wsAllowText) {
      this.#protocolError(
        session,
        CloseCode.UNSUPPORTED_DATA,
        'text messages are off',
      )
      return
    }
    session.serializer = json ? this.#json : this.#msgpack
    let decoded: ReturnType<typeof parseEnvelope>
    try {
      decoded = parseEnvelope(session.serializer.decode(body))
    } catch (error) {
      this.#peerError(session, error as PortcullisError)
      return
    }
    if (decoded.kind !== Kind.HELLO) {
      this.#protocolError(
        session,
        CloseCode.PROTOCOL_ERROR,
        'first message must be HELLO',
      )
      return
    }
    handleHello(this, connection, decoded).catch((error: unknown) => {
      this.logger.error(
        { err: String(error).slice(0, 500) },
        'handshake failed',
      )
      connection.session.close(CloseCode.INTERNAL_ERROR, 'internal error')
    })
  }

  #onEnvelope(
    connection: Connection,
    session: Session,
    body: Buffer,
    isText: boolean,
  ): void {
    if (
      isText !== (session.serializer === this.#json) &&
      connection.name !== 'tcp' &&
      connection.name !== 'tls'
    ) {
      this.#protocolError(
        session,
        CloseCode.UNSUPPORTED_DATA,
        'message type differs from the session serializer',
      )
      return
    }
    let decoded: ReturnType<typeof parseEnvelope>
    try {
      decoded = parseEnvelope(session.serializer.decode(body))
    } catch (error) {
      this.#peerError(session, error as PortcullisError)
      return
    }
    switch (decoded.kind) {
      case Kind.REQUEST:
        this.#dispatcher.request(
          session,
          decoded.id,
          decoded.route,
          decoded.payload,
        )
        return
      case Kind.NOTIFY:
        this.#dispatcher.notify(session, decoded.route, decoded.payload)
        return
      case Kind.ACK:
        session.acknowledge(decoded.lastSeq)
        return
      case Kind.PING:
        session.acknowledge(decoded.lastSeq)
        session.send(
          session.serializer.encode(
            envelope.pong(decoded.clientTimeMs, this.clock.now()),
          ),
        )
        return
      case Kind.CLOSE:
        session.close(CloseCode.NORMAL, undefined, { afterPending: true })
        return
      default:
        this.#protocolError(
          session,
          CloseCode.PROTOCOL_ERROR,
          `kind ${decoded.kind} is not sent by clients`,
        )
    }
  }

  #peerError(session: Session, error: PortcullisError): void {
    const code = error.closeCode ?? CloseCode.PROTOCOL_ERROR
    this.#protocolError(session, code, error.message)
  }

  #protocolError(session: Session, code: number, reason: string): void {
    this.metrics.protocolErrors.inc({ code })
    this.logger.debug(
      { sessionId: session.id, code, reason: reason.slice(0, 200) },
      'peer error',
    )
    session.close(code, reason.slice(0, 120))
  }

  onPeerError(connection: Connection, error: PortcullisError): void {
    this.#peerError(connection.session, error)
  }

  onSocketError(connection: Connection, error: Error): void {
    const code = (error as { code?: string }).code ?? 'unknown'
    const closeCode = WS_ERROR_CLOSE_CODES[code]
    if (closeCode !== undefined) {
      this.#protocolError(connection.session, closeCode, error.message)
      return
    }
    this.logger.debug(
      { sessionId: connection.session.id, code },
      'socket error',
    )
  }

  onConnectionClosed(connection: Connection): void {
    this.#connections -= 1
    if (this.options.maxConnectionsPerIp > 0) {
      const address = connection.remoteAddress
      const count = this.#connectionsByIp.get(address) ?? 1
      if (count <= 1) this.#connectionsByIp.delete(address)
      else this.#connectionsByIp.set(address, count - 1)
    }
    const session = connection.session
    if (session.transport === connection) session.transportLost()
  }

  // HandshakeHost

  expiredReason(sessionId: string): ResumeRefusal | undefined {
    return this.#expired.get(sessionId)
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

  #onTransition(
    session: Session,
    from: SessionState,
    to: SessionState,
    event: SessionEvent,
  ): void {
    const counts = this.metrics.sessionsByState
    counts[from] -= 1
    counts[to] += 1
    if (to === SessionState.CLOSING) {
      this.logger.debug(
        { sessionId: session.id, code: session.closeInfo?.code },
        'session closing',
      )
      // For the game the player is gone now, not after the flush: names
      // and seats are released without waiting for a slow peer's FIN.
      if (session.openedAtMs !== undefined) {
        this.#emitSafely('sessionClosed', session)
      }
    }
    if (to !== SessionState.CLOSED) return
    this.#live.delete(session)
    const code = session.closeInfo?.code ?? CloseCode.NORMAL
    this.metrics.closes.inc({ code })
    if (event === 'window_over') {
      this.#rememberExpired(
        session.id,
        session.replayOverflowed
          ? ResumeRefusal.BUFFER_OVERFLOWED
          : ResumeRefusal.WINDOW_OVER,
      )
    }
    this.registry.remove(session).catch((error: unknown) => {
      this.logger.error({ err: String(error) }, 'registry remove failed')
    })
    this.logger.debug({ sessionId: session.id, code }, 'session closed')
    if (session.openedAtMs !== undefined && from === SessionState.DETACHED) {
      this.#emitSafely('sessionClosed', session)
    }
  }

  #rememberExpired(sessionId: string, reason: ResumeRefusal): void {
    this.#expired.set(sessionId, reason)
    if (this.#expired.size > MAX_EXPIRED_REMEMBERED) {
      const oldest = this.#expired.keys().next().value as string
      this.#expired.delete(oldest)
    }
  }

  #startSweep(): void {
    if (this.#sweepTimer !== undefined) return
    const options = this.options
    const shortest = Math.min(
      options.handshakeTimeoutMs,
      options.authTimeoutMs,
      options.idleTimeoutMs,
      options.handlerTimeoutMs,
      options.closeGraceMs,
      options.resumeWindowMs > 0
        ? options.resumeWindowMs
        : Number.POSITIVE_INFINITY,
    )
    const intervalMs = Math.max(10, Math.min(1_000, Math.floor(shortest / 4)))
    this.#sweepTimer = setInterval(() => this.sweep(), intervalMs)
    this.#sweepTimer.unref()
  }

  /**
   * Checks every deadline once: sessions' state deadlines and handlers'
   * timeouts. Runs periodically; tests with a manual clock call it.
   */
  sweep(): void {
    const now = this.clock.now()
    for (const session of this.#live) session.tick(now)
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
    this.logger.info({ sessions: this.#live.size }, 'drain started')
    if (this.options.drainDelayMs > 0 && this.#ready) {
      await delay(this.options.drainDelayMs)
    }
    const listenersClosed = Promise.all(this.#servers.map(closeServer))
    for (const session of [...this.#live]) {
      session.close(CloseCode.GOING_AWAY, 'server going away', {
        retryAfterMs: this.options.retryAfterMs,
        afterPending: true,
      })
    }
    const deadline = Date.now() + this.options.drainTimeoutMs
    while (this.#live.size > 0 && Date.now() < deadline) {
      await delay(20)
      this.sweep()
    }
    this.#dispatcher.abortAll(new Error('gateway stopped'))
    for (const session of [...this.#live]) {
      session.abort(CloseCode.GOING_AWAY, 'drain timeout')
    }
    this.#wss?.close()
    await listenersClosed
    if (this.#sweepTimer !== undefined) clearInterval(this.#sweepTimer)
    this.#tlsStore?.close()
    if (this.#ops !== undefined) {
      this.#ops.closeAllConnections()
      await closeServer(this.#ops)
    }
    this.#ready = false
    this.logger.info('gateway stopped')
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
