import type { ConnectionOptions } from 'node:tls'
import {
  type Envelope,
  envelope,
  JsonSerializer,
  Kind,
  MAX_REQUEST_ID,
  MsgpackSerializer,
  PortcullisError,
  PortcullisErrorCode,
  parseEnvelope,
  type ResumeOutcome,
  type Serializer,
} from '../codec/index.js'
import type { ClientTransport } from './client-transport.js'
import { RemoteError } from './remote-error.js'
import { connectStream } from './tcp-client-transport.js'
import { connectWs, type WsConnectOptions } from './ws-client-transport.js'

/** Options of a Portcullis client. */
export interface ClientOptions {
  /** Passed to the server's auth hook in HELLO. */
  credentials?: unknown
  /** Describes the client to the server (name, version, platform). */
  client?: unknown
  /** Body encoding; default 'msgpack'. */
  serializer?: 'msgpack' | 'json'
  /** Default time a request waits for its response, in ms (10 s). */
  requestTimeoutMs?: number
  /** Time to connect and complete the handshake, in ms (10 s). */
  connectTimeoutMs?: number
  /** Largest frame accepted from the server, in bytes (64 KiB). */
  maxFrameBytes?: number
  /** Send PINGs at the interval WELCOME announces (default true). */
  heartbeat?: boolean
  /** TLS settings for tls:// and wss:// (for example `ca`). */
  tls?: ConnectionOptions
  /** Local address to connect from. */
  localAddress?: string
}

/** What WELCOME told the client. */
export interface Welcome {
  sessionId: string
  resumeToken: string
  resume: ResumeOutcome | null
  limits: Record<string, number>
}

type PushListener = (route: string, payload: unknown, seq: number) => void
type CloseListener = (code: number, reason: string) => void

interface Pending {
  resolve(value: unknown): void
  reject(error: Error): void
  timer: ReturnType<typeof setTimeout>
}

const ACK_EVERY_PUSHES = 32
const ACK_INTERVAL_MS = 250

/**
 * A client of the Portcullis protocol over tcp://, tls://, ws:// or wss://:
 * handshake, requests with timeouts, notifies, pushes, heartbeats and acks.
 */
export class PortcullisClient {
  readonly url: URL
  readonly #options: ClientOptions
  readonly #serializer: Serializer
  #transport: ClientTransport | undefined
  #welcome: Welcome | undefined
  #nextRequestId = 1
  readonly #pending = new Map<number, Pending>()
  #lastSeq = 0
  #ackedSeq = 0
  #ackTimer: ReturnType<typeof setTimeout> | undefined
  #heartbeat: ReturnType<typeof setInterval> | undefined
  #pushListeners: PushListener[] = []
  #closeListeners: CloseListener[] = []
  #closed = false
  #closeCode = 0
  #closeReason = ''
  #onWelcome: ((welcome: Welcome) => void) | undefined
  /** Round-trip time measured by the last PONG, in ms. */
  rttMs: number | undefined
  /** Server clock minus client clock, estimated from PONGs, in ms. */
  clockOffsetMs: number | undefined

  constructor(url: string | URL, options: ClientOptions = {}) {
    this.url = new URL(url)
    this.#options = options
    const depth = 64
    this.#serializer =
      options.serializer === 'json'
        ? new JsonSerializer(depth)
        : new MsgpackSerializer(depth)
  }

  /** Connects to `url` and completes the handshake. */
  static async connect(
    url: string | URL,
    options: ClientOptions = {},
  ): Promise<PortcullisClient> {
    const client = new PortcullisClient(url, options)
    await client.connect()
    return client
  }

  /** The session id, once connected. */
  get sessionId(): string | undefined {
    return this.#welcome?.sessionId
  }

  /** What WELCOME said, once connected. */
  get welcome(): Welcome | undefined {
    return this.#welcome
  }

  /** Highest push sequence number received. */
  get lastSeq(): number {
    return this.#lastSeq
  }

  /** True once the connection ended. */
  get closed(): boolean {
    return this.#closed
  }

  /** Calls `listener` for every push. */
  onPush(listener: PushListener): () => void {
    this.#pushListeners.push(listener)
    return () => {
      this.#pushListeners = this.#pushListeners.filter((l) => l !== listener)
    }
  }

  /** Calls `listener` once when the connection ends, with code and reason. */
  onClose(listener: CloseListener): () => void {
    this.#closeListeners.push(listener)
    return () => {
      this.#closeListeners = this.#closeListeners.filter((l) => l !== listener)
    }
  }

  /** Connects and sends HELLO; resolves with WELCOME's content. */
  async connect(): Promise<Welcome> {
    const timeoutMs = this.#options.connectTimeoutMs ?? 10_000
    this.#transport = await this.#openTransport(timeoutMs)
    const welcome = new Promise<Welcome>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#transport?.destroy()
        reject(
          new PortcullisError(
            PortcullisErrorCode.CONNECT_FAILED,
            `no WELCOME within ${timeoutMs} ms`,
          ),
        )
      }, timeoutMs)
      this.#onWelcome = (value) => {
        clearTimeout(timer)
        resolve(value)
      }
      this.onClose((code, reason) => {
        clearTimeout(timer)
        reject(
          new PortcullisError(
            PortcullisErrorCode.CONNECTION_CLOSED,
            `closed during handshake: ${code} ${reason}`,
          ),
        )
      })
    })
    const info: Record<string, unknown> = {}
    if (this.#options.client !== undefined) info.client = this.#options.client
    if (this.#options.credentials !== undefined) {
      info.credentials = this.#options.credentials
    }
    this.#send(envelope.hello(info))
    return welcome
  }

  #openTransport(timeoutMs: number): Promise<ClientTransport> {
    const url = this.url
    const events = {
      onBody: (body: Uint8Array) => this.#onBody(body),
      onClose: (error: Error | undefined, code?: number, reason?: string) =>
        this.#onTransportClose(error, code, reason),
    }
    const maxFrameBytes = this.#options.maxFrameBytes ?? 64 * 1024
    const protocol = url.protocol.replace(':', '')
    if (protocol === 'tcp' || protocol === 'tls') {
      return connectStream(
        {
          host: url.hostname.replace(/^\[|\]$/g, ''),
          port: Number(url.port || 7000),
          maxFrameBytes,
          connectTimeoutMs: timeoutMs,
          ...(protocol === 'tls' ? { tls: this.#options.tls ?? {} } : {}),
          ...(this.#options.localAddress
            ? { localAddress: this.#options.localAddress }
            : {}),
        },
        events,
      )
    }
    if (protocol === 'ws' || protocol === 'wss') {
      const nodeOptions = {
        ...(this.#options.tls ?? {}),
        ...(this.#options.localAddress
          ? { localAddress: this.#options.localAddress }
          : {}),
      }
      return connectWs(
        {
          url: url.href,
          maxFrameBytes,
          connectTimeoutMs: timeoutMs,
          nodeOptions:
            nodeOptions as unknown as WsConnectOptions['nodeOptions'] & {},
        },
        events,
      )
    }
    throw new PortcullisError(
      PortcullisErrorCode.CONNECT_FAILED,
      `unsupported URL scheme ${url.protocol} (use tcp, tls, ws or wss)`,
    )
  }

  /** Sends a REQUEST; resolves with the response payload. */
  request(
    route: string,
    payload?: unknown,
    options: { timeoutMs?: number } = {},
  ): Promise<unknown> {
    if (this.#closed || this.#transport === undefined) {
      return Promise.reject(this.#closedError())
    }
    const id = this.#nextRequestId
    this.#nextRequestId = id >= MAX_REQUEST_ID ? 1 : id + 1
    const timeoutMs =
      options.timeoutMs ?? this.#options.requestTimeoutMs ?? 10_000
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id)
        reject(
          new PortcullisError(
            PortcullisErrorCode.REQUEST_TIMEOUT,
            `request ${route} got no response within ${timeoutMs} ms`,
          ),
        )
      }, timeoutMs)
      this.#pending.set(id, { resolve, reject, timer })
      this.#send(envelope.request(id, route, payload ?? null))
    })
  }

  /** Sends a NOTIFY (no response). */
  notify(route: string, payload?: unknown): void {
    if (this.#closed) throw this.#closedError()
    this.#send(envelope.notify(route, payload ?? null))
  }

  /** Sends a PING now; heartbeats do this by themselves. */
  ping(): void {
    this.#send(envelope.ping(Date.now(), this.#lastSeq))
    this.#ackedSeq = this.#lastSeq
  }

  /** Leaves politely: CLOSE 1000, then waits for the server to end. */
  async close(): Promise<void> {
    if (this.#closed) return
    const ended = new Promise<void>((resolve) => this.onClose(() => resolve()))
    this.#send(envelope.close(1000, 'client leaving'))
    const timer = setTimeout(() => this.#transport?.destroy(), 2_000)
    await ended
    clearTimeout(timer)
  }

  /** Drops the connection without a goodbye (tests, network loss). */
  destroy(): void {
    this.#transport?.destroy()
  }

  #send(value: unknown[]): void {
    const body = this.#serializer.encode(value)
    this.#transport?.send(body, this.#serializer.name === 'json')
  }

  #onBody(body: Uint8Array): void {
    let message: Envelope
    try {
      message = parseEnvelope(this.#serializer.decode(body))
    } catch {
      this.#transport?.destroy()
      return
    }
    switch (message.kind) {
      case Kind.RESPONSE:
        this.#onResponse(message.id, message.payload, message.error)
        return
      case Kind.PUSH:
        this.#onPush(message.seq, message.route, message.payload)
        return
      case Kind.WELCOME:
        this.#onWelcomeMessage(message)
        return
      case Kind.PONG: {
        const now = Date.now()
        this.rttMs = now - message.clientTimeMs
        this.clockOffsetMs =
          message.serverTimeMs - (message.clientTimeMs + this.rttMs / 2)
        return
      }
      case Kind.CLOSE:
        this.#closeCode = message.code
        this.#closeReason = message.reason
        return
      default:
    }
  }

  #onWelcomeMessage(message: Extract<Envelope, { kind: 2 }>): void {
    const welcome: Welcome = {
      sessionId: message.sessionId,
      resumeToken: message.resumeToken,
      resume: message.resume,
      limits: message.limits,
    }
    this.#welcome = welcome
    const intervalMs = message.limits.heartbeatIntervalMs
    if (this.#options.heartbeat !== false && intervalMs !== undefined) {
      this.#heartbeat = setInterval(() => this.ping(), intervalMs)
      this.#heartbeat.unref?.()
    }
    this.#onWelcome?.(welcome)
    this.#onWelcome = undefined
  }

  #onResponse(
    id: number,
    payload: unknown,
    error: { code: string; message: string } | null,
  ): void {
    const pending = this.#pending.get(id)
    if (pending === undefined) return
    this.#pending.delete(id)
    clearTimeout(pending.timer)
    if (error === null) pending.resolve(payload)
    else pending.reject(new RemoteError(error.code, error.message))
  }

  #onPush(seq: number, route: string, payload: unknown): void {
    if (seq <= this.#lastSeq) return
    this.#lastSeq = seq
    if (seq - this.#ackedSeq >= ACK_EVERY_PUSHES) this.#ack()
    else if (this.#ackTimer === undefined) {
      this.#ackTimer = setTimeout(() => this.#ack(), ACK_INTERVAL_MS)
      this.#ackTimer.unref?.()
    }
    for (const listener of this.#pushListeners) listener(route, payload, seq)
  }

  #ack(): void {
    if (this.#ackTimer !== undefined) clearTimeout(this.#ackTimer)
    this.#ackTimer = undefined
    if (this.#closed || this.#lastSeq === this.#ackedSeq) return
    this.#ackedSeq = this.#lastSeq
    this.#send(envelope.ack(this.#lastSeq))
  }

  #onTransportClose(
    _error: Error | undefined,
    code?: number,
    reason?: string,
  ): void {
    if (this.#closed) return
    this.#closed = true
    if (this.#heartbeat !== undefined) clearInterval(this.#heartbeat)
    if (this.#ackTimer !== undefined) clearTimeout(this.#ackTimer)
    if (this.#closeCode === 0 && code !== undefined) {
      this.#closeCode = code
      this.#closeReason = reason ?? ''
    }
    const error = this.#closedError()
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer)
      pending.reject(error)
    }
    this.#pending.clear()
    const closeCode = this.#closeCode || 1006
    for (const listener of this.#closeListeners) {
      listener(closeCode, this.#closeReason)
    }
  }

  /** The close code the server sent (or 1006 for a lost connection). */
  get closeCode(): number {
    return this.#closeCode
  }

  #closedError(): PortcullisError {
    return new PortcullisError(
      PortcullisErrorCode.CONNECTION_CLOSED,
      `connection closed (${this.#closeCode || 1006} ${this.#closeReason})`,
    )
  }
}
