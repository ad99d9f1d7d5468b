import type { Logger } from 'pino'
import {
  CloseCode,
  type Envelope,
  ErrorCode,
  envelope,
  JSON_FIRST_BYTE,
  type JsonSerializer,
  Kind,
  type MsgpackSerializer,
  type PortcullisError,
  parseEnvelope,
  SerializerName,
} from '../codec/index.js'
import {
  type Clock,
  type Session,
  SessionState,
  TransportName,
} from '../session/index.js'
import type { Connection } from './connection.js'
import type { Dispatcher } from './dispatcher.js'
import { acceptHello, type HandshakeHost, handleHello } from './handshake.js'
import { HandshakeQueue } from './handshake-queue.js'
import type { GatewayMetrics } from './metrics.js'

/** HELLOs handled per event-loop turn; the rest wait for later turns. */
const HANDSHAKES_PER_TURN = 32

/** Errors of the ws package that mean the peer broke a limit. */
const WS_ERROR_CLOSE_CODES: Readonly<Record<string, number>> = {
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: CloseCode.MESSAGE_TOO_BIG,
  WS_ERR_INVALID_UTF8: CloseCode.INVALID_PAYLOAD,
}

/** What inbound handling needs from the gateway. */
export interface InboundParts {
  readonly handshake: HandshakeHost
  readonly dispatcher: Dispatcher
  readonly msgpack: MsgpackSerializer
  readonly json: JsonSerializer
  readonly clock: Clock
  readonly metrics: GatewayMetrics
  readonly logger: Logger
  /** Route of line-transport NOTIFYs. */
  readonly lineRoute: string
  /** Accept WebSocket text messages (JSON). */
  readonly wsAllowText: boolean
}

/**
 * Turns bodies from connections into session events: the HELLO that picks
 * a serializer and starts the handshake, then REQUEST, NOTIFY, PING, ACK
 * and CLOSE. Every peer mistake becomes a close with its code, a counter
 * and a debug line.
 */
export class Inbound {
  readonly #parts: InboundParts
  readonly #handshakes = new HandshakeQueue(HANDSHAKES_PER_TURN)

  constructor(parts: InboundParts) {
    this.#parts = parts
  }

  /** One body (or line) from `connection`. */
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
        this.#parts.dispatcher.notify(session, this.#parts.lineRoute, line)
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
      this.protocolError(
        session,
        CloseCode.PROTOCOL_ERROR,
        'sent before WELCOME',
      )
      return
    }
    if (state === SessionState.CLOSING) this.#whileClosing(session, body)
  }

  /**
   * A closing session still answering its requests in flight (a drain)
   * reads what the client sent meanwhile, held back by backpressure
   * included: every REQUEST among it is answered `shutting_down`, so no
   * request goes unanswered. Anything else is ignored.
   */
  #whileClosing(session: Session, body: Buffer): void {
    if (session.serializer.name === SerializerName.TEXT) return
    let value: unknown
    try {
      value = session.serializer.decode(body)
    } catch {
      return
    }
    if (!Array.isArray(value) || value[0] !== Kind.REQUEST) return
    const id = value[1]
    if (typeof id !== 'number') return
    const reply = envelope.errorResponse(id, {
      code: ErrorCode.SHUTTING_DOWN,
      message: 'the server is shutting down',
    })
    session.send(session.serializer.encode(reply))
  }

  /**
   * A socket error. The WebSocket layer reports a peer's oversized or
   * invalid message this way, with a close code; other errors (resets)
   * are followed by the socket's close and only logged.
   */
  socketError(connection: Connection, error: Error): void {
    const code = (error as { code?: string }).code ?? 'unknown'
    const closeCode = WS_ERROR_CLOSE_CODES[code]
    if (closeCode !== undefined) {
      this.protocolError(connection.session, closeCode, error.message)
      return
    }
    this.#parts.logger.debug(
      { sessionId: connection.session.id, code },
      'socket error',
    )
  }

  /** Closes `session` for a decoding or framing error of its peer. */
  peerError(session: Session, error: PortcullisError): void {
    const code = error.closeCode ?? CloseCode.PROTOCOL_ERROR
    this.protocolError(session, code, error.message)
  }

  /** Closes `session` with `code`; counted and logged at debug. */
  protocolError(session: Session, code: number, reason: string): void {
    this.#parts.metrics.protocolErrors.inc({ code })
    this.#parts.logger.debug(
      { sessionId: session.id, code, reason: reason.slice(0, 200) },
      'peer error',
    )
    session.close(code, reason.slice(0, 120))
  }

  #decode(session: Session, body: Buffer): Envelope | undefined {
    try {
      return parseEnvelope(session.serializer.decode(body))
    } catch (error) {
      this.peerError(session, error as PortcullisError)
      return undefined
    }
  }

  #onFirstBody(
    connection: Connection,
    session: Session,
    body: Buffer,
    isText: boolean,
  ): void {
    // On WebSocket the message type decides; on a byte stream, the first
    // byte ('[' only starts JSON, never a MessagePack array).
    const stream =
      connection.name === TransportName.TCP ||
      connection.name === TransportName.TLS
    const json = isText || (stream && body[0] === JSON_FIRST_BYTE)
    if (json && isText && !this.#parts.wsAllowText) {
      this.protocolError(
        session,
        CloseCode.UNSUPPORTED_DATA,
        'text messages are off',
      )
      return
    }
    session.serializer = json ? this.#parts.json : this.#parts.msgpack
    const decoded = this.#decode(session, body)
    if (decoded === undefined) return
    if (decoded.kind !== Kind.HELLO) {
      this.protocolError(
        session,
        CloseCode.PROTOCOL_ERROR,
        'first message must be HELLO',
      )
      return
    }
    if (!acceptHello(session, decoded)) return
    this.#handshakes.push(() => {
      // The session may have closed while the HELLO waited its turn.
      if (connection.session !== session) return
      if (session.state !== SessionState.AUTHENTICATING) return
      handleHello(this.#parts.handshake, connection, decoded).catch(
        (error: unknown) => {
          this.#parts.logger.error(
            { err: String(error).slice(0, 500) },
            'handshake failed',
          )
          const owner = connection.session
          owner.close(CloseCode.INTERNAL_ERROR, 'internal error')
          // Whatever state the failure left behind, this connection ends.
          if (owner.transport !== connection) connection.destroy()
        },
      )
    })
  }

  #onEnvelope(
    connection: Connection,
    session: Session,
    body: Buffer,
    isText: boolean,
  ): void {
    const stream =
      connection.name === TransportName.TCP ||
      connection.name === TransportName.TLS
    if (!stream && isText !== (session.serializer === this.#parts.json)) {
      this.protocolError(
        session,
        CloseCode.UNSUPPORTED_DATA,
        'message type differs from the session serializer',
      )
      return
    }
    const decoded = this.#decode(session, body)
    if (decoded === undefined) return
    const dispatcher = this.#parts.dispatcher
    switch (decoded.kind) {
      case Kind.REQUEST:
        dispatcher.request(session, decoded.id, decoded.route, decoded.payload)
        return
      case Kind.NOTIFY:
        dispatcher.notify(session, decoded.route, decoded.payload)
        return
      case Kind.ACK:
        session.acknowledge(decoded.lastSeq)
        return
      case Kind.PING: {
        session.acknowledge(decoded.lastSeq)
        const now = this.#parts.clock.now()
        const pong = envelope.pong(decoded.clientTimeMs, now)
        session.send(session.serializer.encode(pong))
        return
      }
      case Kind.CLOSE:
        session.close(CloseCode.NORMAL, undefined, { afterPending: true })
        return
      case Kind.HELLO:
        this.protocolError(session, CloseCode.PROTOCOL_ERROR, 'a second HELLO')
        return
      default:
        this.protocolError(
          session,
          CloseCode.PROTOCOL_ERROR,
          `kind ${decoded.kind} is not sent by clients`,
        )
    }
  }
}
