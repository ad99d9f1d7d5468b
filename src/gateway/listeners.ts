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
import { type WebSocket, WebSocketServer } from 'ws'
import { TransportName } from '../session/index.js'
import {
  dropFailedHandshakes,
  type TlsContextStore,
  tlsServerOptions,
} from '../tls/index.js'
import { type BoundAddress, closeServer, listen } from './listen.js'
import type { GatewayMetrics } from './metrics.js'
import { createOpsServer, type OpsState } from './ops-server.js'
import type { ResolvedOptions } from './options.js'
import { openTlsStore, resolveTlsSource } from './tls-setup.js'

/** The listeners a gateway has bound, by name. */
export type GatewayAddresses = Partial<
  Record<'tcp' | 'ws' | 'line' | 'tls' | 'wss' | 'ops', BoundAddress>
>

type WebSocketName = typeof TransportName.WS | typeof TransportName.WSS
type StreamName = typeof TransportName.TCP | typeof TransportName.TLS

/** What the listeners hand accepted connections to. */
export interface ListenerHost {
  readonly options: ResolvedOptions
  readonly logger: Logger
  readonly metrics: GatewayMetrics
  /** Why a new connection must be refused, if it must (counted there). */
  refusal(socket: Socket): string | undefined
  acceptStream(socket: Socket, name: StreamName): void
  acceptLine(socket: Socket): void
  /** `acceptedAtMs`: when the TCP (or TLS) connection was accepted. */
  acceptWebSocket(
    ws: WebSocket,
    socket: Socket,
    name: WebSocketName,
    acceptedAtMs: number,
  ): void
  /** Milliseconds, from the gateway's clock. */
  now(): number
}

/**
 * Writes a refusal and ends the socket. A peer that neither reads nor
 * closes would keep it half-open forever: it is dropped after `graceMs`.
 */
export function endRefused(
  socket: Duplex,
  data: string | Buffer,
  graceMs: number,
): void {
  socket.on('error', () => socket.destroy())
  socket.end(data)
  const timer = setTimeout(() => socket.destroy(), graceMs)
  timer.unref()
  socket.once('close', () => clearTimeout(timer))
}

/**
 * Every server socket of a gateway: raw TCP, WebSocket, line, TLS-TCP, WSS
 * and the ops endpoint, with their socket options, the WebSocket upgrade
 * (refused with HTTP 503 and Retry-After when busy) and certificate reload.
 */
export class Listeners {
  readonly addresses: GatewayAddresses = {}
  readonly #host: ListenerHost
  readonly #servers: Array<Server | HttpServer> = []
  #wss: WebSocketServer | undefined
  #tlsStore: TlsContextStore | undefined
  #ops: HttpServer | undefined
  /** When each socket waiting for its upgrade was accepted. */
  readonly #acceptedAt = new WeakMap<Duplex, number>()

  constructor(host: ListenerHost) {
    this.#host = host
  }

  /** Binds every listener that is not 'off'; resolves with the addresses. */
  async listen(ops: OpsState): Promise<GatewayAddresses> {
    const options = this.#host.options
    if (options.opsPort !== 'off') {
      this.#ops = createOpsServer(ops)
      this.addresses.ops = await this.#bind(
        this.#ops,
        options.opsPort,
        options.opsHost,
      )
    }
    if (options.tcpPort !== 'off') {
      const server = this.#netServer((socket) =>
        this.#host.acceptStream(socket, TransportName.TCP),
      )
      this.addresses.tcp = await this.#bind(server, options.tcpPort)
    }
    if (options.wsPort !== 'off') {
      const server = this.#httpServer(TransportName.WS)
      this.addresses.ws = await this.#bind(server, options.wsPort)
    }
    if (options.linePort !== 'off') {
      const server = this.#netServer((socket) => this.#host.acceptLine(socket))
      this.addresses.line = await this.#bind(server, options.linePort)
    }
    await this.#listenTls()
    return this.addresses
  }

  #bind(
    server: Parameters<typeof listen>[0],
    port: number,
    host = this.#host.options.host,
  ): Promise<BoundAddress> {
    return listen(server, port, host, this.#host.options.maxListenBacklog)
  }

  async #listenTls(): Promise<void> {
    const { options, logger } = this.#host
    if (options.tlsPort === 'off' && options.wssPort === 'off') return
    const source = await resolveTlsSource(options, logger)
    if (source === undefined) return
    const store = await openTlsStore(source, logger)
    this.#tlsStore = store
    const tlsOptions = tlsServerOptions(store, {
      handshakeTimeoutMs: options.tlsHandshakeTimeoutMs,
    })
    if (options.tlsPort !== 'off') {
      const server = createTlsServer(tlsOptions, (socket) =>
        this.#host.acceptStream(socket, TransportName.TLS),
      )
      this.#secureServer(server, store, TransportName.TLS)
      this.addresses.tls = await this.#bind(server, options.tlsPort)
    }
    if (options.wssPort !== 'off') {
      const server = this.#httpServer(TransportName.WSS, tlsOptions)
      this.#secureServer(server as HttpsServer, store, TransportName.WSS)
      this.addresses.wss = await this.#bind(server, options.wssPort)
    }
  }

  /** Follows certificate reloads; drops and counts failed handshakes. */
  #secureServer(
    server: Parameters<typeof dropFailedHandshakes>[0],
    store: TlsContextStore,
    name: TransportName,
  ): void {
    const { metrics, logger } = this.#host
    store.attach(server)
    dropFailedHandshakes(server)
    server.on('tlsClientError', (error: Error, socket: TLSSocket) => {
      metrics.refused.inc({ reason: 'tls_handshake' })
      logger.debug(
        {
          transport: name,
          remoteAddress: socket.remoteAddress,
          err: (error as { code?: string }).code ?? error.message,
        },
        'TLS handshake failed',
      )
    })
    this.#track(server)
  }

  #track(server: Server | HttpServer): void {
    server.on('error', (error) =>
      this.#host.logger.error({ err: error.message }, 'listener error'),
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
    const options = this.#host.options
    const server = createNetServer(
      {
        noDelay: options.noDelay,
        keepAlive: options.keepAlive,
        keepAliveInitialDelay: options.keepAliveInitialDelayMs,
      },
      onSocket,
    )
    this.#track(server)
    return server
  }

  #httpServer(
    name: WebSocketName,
    tlsOptions?: ReturnType<typeof tlsServerOptions>,
  ): HttpServer {
    const options = this.#host.options
    const timeoutMs = options.handshakeTimeoutMs
    const httpOptions = {
      requestTimeout: timeoutMs,
      headersTimeout: timeoutMs,
      connectionsCheckingInterval: Math.min(timeoutMs, 1_000),
      noDelay: options.noDelay,
      keepAlive: options.keepAlive,
    }
    const server: HttpServer =
      tlsOptions === undefined
        ? createHttpServer(httpOptions)
        : createHttpsServer({ ...httpOptions, ...tlsOptions })
    this.#wss ??= new WebSocketServer({
      noServer: true,
      maxPayload: options.maxFrameBytes,
      perMessageDeflate: options.wsPerMessageDeflate,
      clientTracking: false,
    })
    server.on('request', (_request, response) => {
      response
        .writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket' })
        .end('this port speaks WebSocket\n')
    })
    // The handshake deadline counts from here, upgrade included.
    const accepted =
      tlsOptions === undefined ? 'connection' : 'secureConnection'
    server.on(accepted, (socket: Duplex) =>
      this.#acceptedAt.set(socket, this.#host.now()),
    )
    server.on('upgrade', (request, socket, head) =>
      this.#upgrade(request, socket, head, name),
    )
    server.on('clientError', (_error, socket) => socket.destroy())
    if (tlsOptions === undefined) this.#track(server)
    return server
  }

  #upgrade(
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    name: WebSocketName,
  ): void {
    const options = this.#host.options
    socket.on('error', () => socket.destroy())
    const path = (request.url ?? '/').split('?')[0]
    if (path !== options.wsPath) {
      const notFound = 'HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n'
      endRefused(socket, notFound, options.closeGraceMs)
      return
    }
    if (this.#host.refusal(socket as Socket) !== undefined) {
      const seconds = Math.ceil(options.retryAfterMs / 1000)
      endRefused(
        socket,
        'HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n' +
          `Retry-After: ${seconds}\r\nContent-Length: 0\r\n\r\n`,
        options.closeGraceMs,
      )
      return
    }
    const wss = this.#wss as WebSocketServer
    const acceptedAtMs = this.#acceptedAt.get(socket) ?? this.#host.now()
    wss.handleUpgrade(request, socket, head, (ws) =>
      this.#host.acceptWebSocket(ws, socket as Socket, name, acceptedAtMs),
    )
  }

  /** Stops accepting on the game ports; open connections stay. */
  closeGamePorts(): Promise<void> {
    const closed = Promise.all(this.#servers.map(closeServer))
    this.#wss?.close()
    return closed.then(() => undefined)
  }

  /** Closes the ops endpoint and stops watching certificate files. */
  async closeOps(): Promise<void> {
    this.#tlsStore?.close()
    if (this.#ops !== undefined) {
      this.#ops.closeAllConnections()
      await closeServer(this.#ops)
    }
  }
}
