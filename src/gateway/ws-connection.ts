import type { Socket } from 'node:net'
import type { WebSocket } from 'ws'
import type { TransportName } from '../session/index.js'
import { Connection, type PendingEnd } from './connection.js'
import type { ConnectionHost } from './connection-host.js'

const BINARY = Object.freeze({ binary: true, compress: false })
const TEXT = Object.freeze({ binary: false, compress: false })
const MAX_REASON_BYTES = 123
const NORMAL_CLOSURE = 1000

/**
 * A WebSocket connection: one message per body. Messages of one turn are
 * sent inside a cork of the underlying socket, so ws's per-frame writes
 * leave as one syscall.
 */
export class WsConnection extends Connection {
  readonly name: TransportName
  readonly #ws: WebSocket
  readonly #socket: Socket
  #drainAwaited = false
  readonly #host: ConnectionHost

  constructor(
    name: TransportName,
    ws: WebSocket,
    socket: Socket,
    host: ConnectionHost,
  ) {
    super(socket.remoteAddress ?? '', host.traffic(name))
    this.name = name
    this.#ws = ws
    this.#socket = socket
    this.#host = host
    // ws parses a socket read synchronously and emits its messages before
    // the next listener runs: around them, answers are batched.
    socket.prependListener('data', () => this.beginRead())
    socket.on('data', () => this.endRead())
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      this.traffic.framesIn += 1
      this.traffic.bytesIn += data.length
      this.receive(data, !isBinary)
    })
    ws.on('error', (error) => host.onSocketError(this, error))
    ws.on('close', (code: number) => {
      // A close frame with 1000 is a deliberate goodbye, like CLOSE 1000;
      // anything else (1001 from a closing tab, 1006) may come back.
      if (code === NORMAL_CLOSURE && !this.ended) this.leftCleanly = true
      this.markGone()
      host.onConnectionClosed(this)
    })
  }

  protected writeBodies(bodies: Buffer[]): void {
    const options = this.session.serializer.binary ? BINARY : TEXT
    const socket = this.#socket
    socket.cork()
    for (const body of bodies) {
      this.traffic.bytesOut += body.length
      this.#ws.send(body, options)
    }
    socket.uncork()
    if (socket.writableNeedDrain && !this.#drainAwaited) {
      this.#drainAwaited = true
      this.holdForWrites()
      socket.once('drain', () => {
        this.#drainAwaited = false
        this.writesDrained()
      })
    }
  }

  override flushFailed(error: unknown): void {
    this.#host.logger.error(
      { sessionId: this.session.id, err: String(error).slice(0, 500) },
      'writing to a connection failed; dropped',
    )
    super.flushFailed(error)
  }

  protected finish(ending: PendingEnd): void {
    let reason = ending.reason
    while (Buffer.byteLength(reason) > MAX_REASON_BYTES) {
      reason = reason.slice(0, -1)
    }
    this.#ws.close(ending.code, reason)
  }

  protected socketBufferedBytes(): number {
    return this.#ws.bufferedAmount
  }

  destroy(): void {
    this.#ws.terminate()
  }

  protected deliver(body: Buffer, isText: boolean): void {
    this.#host.onBody(this, body, isText)
  }

  protected pauseSocket(): void {
    this.#ws.pause()
  }

  protected resumeSocket(): void {
    this.#ws.resume()
  }
}
