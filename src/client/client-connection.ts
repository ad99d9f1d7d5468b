import {
  type EnvelopeOf,
  envelope,
  type HelloInfo,
  parseEnvelope,
} from '../codec/envelope.js'
import { Kind } from '../codec/kinds.js'
import type { Serializer } from '../codec/serializer.js'
import type { ClientTransport } from './client-transport.js'
import { Heartbeat } from './heartbeat.js'

/** Close code of a connection that ended without one (lost). */
export const LOST = 1006

/** What the server said on a connection, message by message. */
export interface ConnectionHandlers {
  /** The handshake completed; called once per connection. */
  welcome(message: EnvelopeOf<typeof Kind.WELCOME>): void
  /** The answer to a request. */
  response(message: EnvelopeOf<typeof Kind.RESPONSE>): void
  /** A push, replayed ones included. */
  push(message: EnvelopeOf<typeof Kind.PUSH>): void
  /** A PONG measured the round trip and the server's clock offset, in ms. */
  pong(rttMs: number, clockOffsetMs: number): void
  /** A heartbeat is due: send a PING. */
  beat(): void
}

/** How a connection times its handshake and heartbeats. */
export interface ConnectionTiming {
  /** Longest wait for WELCOME, in ms. */
  readonly connectTimeoutMs: number
  /** PING and watch for silence at the pace WELCOME sets. */
  readonly heartbeat: boolean
}

/** The CLOSE a server sent before ending a connection. */
export interface ServerClose {
  readonly code: number
  readonly reason: string
  readonly retryAfterMs: number | null
}

/** How a connection ended. */
export interface ConnectionEnd extends ServerClose {
  /** True when the server said why in a CLOSE. */
  readonly byServer: boolean
}

/**
 * How a connection ended: the server's CLOSE when one came, else the
 * transport's close code and reason, else 1006 (lost).
 */
export function connectionEnd(
  server: ServerClose | undefined,
  error?: Error,
  wsCode?: number,
  wsReason?: string,
): ConnectionEnd {
  const serverCode = server?.code ?? 0
  return {
    code: serverCode || wsCode || LOST,
    reason: server?.reason || wsReason || error?.message || 'lost',
    retryAfterMs: server?.retryAfterMs ?? null,
    byServer: serverCode !== 0,
  }
}

/**
 * One open transport and its handshake: sends HELLO, drops a transport
 * that gets no WELCOME within `connectTimeoutMs`, then keeps heartbeats;
 * decodes what arrives and remembers the server's CLOSE. A body that does
 * not decode drops the transport.
 */
export class ClientConnection {
  readonly #transport: ClientTransport
  readonly #serializer: Serializer
  readonly #handlers: ConnectionHandlers
  readonly #handshakeTimer: ReturnType<typeof setTimeout>
  readonly #heartbeat: Heartbeat | undefined
  #welcomed = false
  #serverClose: ServerClose | undefined

  /** Starts the handshake on `transport` with HELLO `hello`. */
  constructor(
    transport: ClientTransport,
    serializer: Serializer,
    handlers: ConnectionHandlers,
    timing: ConnectionTiming,
    hello: HelloInfo,
  ) {
    this.#transport = transport
    this.#serializer = serializer
    this.#handlers = handlers
    this.#handshakeTimer = setTimeout(
      () => transport.destroy(),
      timing.connectTimeoutMs,
    )
    if (timing.heartbeat) {
      this.#heartbeat = new Heartbeat(
        () => handlers.beat(),
        () => this.destroy(),
      )
      this.#heartbeat.received()
    }
    this.sendMessage(envelope.hello(hello))
  }

  /** True once WELCOME arrived. */
  get welcomed(): boolean {
    return this.#welcomed
  }

  /** Sends one encoded body. */
  send(body: Uint8Array): void {
    this.#transport.send(body, this.#serializer.name === 'json')
  }

  /** Encodes one envelope and sends it. */
  sendMessage(message: readonly unknown[]): void {
    this.send(this.#serializer.encode(message))
  }

  /** Decodes one body and hands it to its handler. */
  receive(body: Uint8Array): void {
    this.#heartbeat?.received()
    let message: ReturnType<typeof parseEnvelope>
    try {
      message = parseEnvelope(this.#serializer.decode(body))
    } catch {
      this.#transport.destroy()
      return
    }
    switch (message.kind) {
      case Kind.WELCOME:
        if (this.#welcomed) return
        clearTimeout(this.#handshakeTimer)
        this.#welcomed = true
        this.#heartbeat?.start(message.limits)
        this.#handlers.welcome(message)
        return
      case Kind.RESPONSE:
        this.#handlers.response(message)
        return
      case Kind.PUSH:
        this.#handlers.push(message)
        return
      case Kind.PONG: {
        const rttMs = Date.now() - message.clientTimeMs
        const offsetMs =
          message.serverTimeMs - (message.clientTimeMs + rttMs / 2)
        this.#handlers.pong(rttMs, offsetMs)
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

  /** The transport closed: stops the timers; returns the server's CLOSE. */
  end(): ServerClose | undefined {
    this.#stopTimers()
    return this.#serverClose
  }

  /** Drops the transport at once; its close is reported as usual. */
  destroy(): void {
    this.#stopTimers()
    this.#transport.destroy()
  }

  #stopTimers(): void {
    clearTimeout(this.#handshakeTimer)
    this.#heartbeat?.stop()
  }
}
