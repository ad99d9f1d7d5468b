import type { Socket } from 'node:net'
import type { PortcullisError } from '../codec/index.js'
import type { TransportName } from '../session/index.js'
import { Connection } from './connection.js'
import type { ConnectionHost } from './connection-host.js'

const OWNER = Symbol('portcullis.connection')

interface OwnedSocket extends Socket {
  [OWNER]: SocketConnection
}

function onSocketData(this: Socket, chunk: Buffer): void {
  ;(this as OwnedSocket)[OWNER].onData(chunk)
}

function onSocketError(this: Socket, error: Error): void {
  const connection = (this as OwnedSocket)[OWNER]
  connection.host.onSocketError(connection, error)
}

function onSocketDrain(this: Socket): void {
  ;(this as OwnedSocket)[OWNER].onDrain()
}

function onSocketClose(this: Socket): void {
  ;(this as OwnedSocket)[OWNER].onClose()
}

/**
 * A connection over a plain `net` or `tls` socket, whatever its framing:
 * reads go through `decode`, answered in one batch per read; the socket's
 * end is the connection's end.
 */
export abstract class SocketConnection extends Connection {
  readonly name: TransportName
  protected readonly socket: Socket
  readonly host: ConnectionHost
  #drainAwaited = false

  constructor(name: TransportName, socket: Socket, host: ConnectionHost) {
    super(socket.remoteAddress ?? '', host.traffic(name))
    this.name = name
    this.socket = socket
    this.host = host
    // Shared listeners that find the connection on the socket: three
    // closures per connection add up over 100,000 idle players.
    ;(socket as OwnedSocket)[OWNER] = this
    socket.on('data', onSocketData)
    socket.on('error', onSocketError)
    socket.on('close', onSocketClose)
  }

  /** Handles one socket read. */
  onData(chunk: Buffer): void {
    this.beginRead()
    try {
      this.traffic.bytesIn += chunk.length
      const error = this.decode(chunk)
      if (error !== undefined) this.host.onPeerError(this, error)
    } finally {
      this.endRead()
    }
  }

  /** The socket is gone. */
  onClose(): void {
    this.markGone()
    this.stopDecoding()
    this.host.onConnectionClosed(this)
  }

  /** Splits one read into bodies for `receive`; returns a fatal error. */
  protected abstract decode(chunk: Buffer): PortcullisError | undefined
  /** Drops any partial input; the socket is gone. */
  protected abstract stopDecoding(): void

  /** Writes to the socket; a full buffer holds the peer back until drained. */
  protected write(data: Buffer): void {
    if (this.socket.write(data) || this.#drainAwaited) return
    this.#drainAwaited = true
    this.holdForWrites()
    this.socket.once('drain', onSocketDrain)
  }

  /** The socket's buffer drained. */
  onDrain(): void {
    this.#drainAwaited = false
    this.writesDrained()
  }

  override flushFailed(error: unknown): void {
    this.host.logger.error(
      { sessionId: this.session.id, err: String(error).slice(0, 500) },
      'writing to a connection failed; dropped',
    )
    super.flushFailed(error)
  }

  protected finish(): void {
    this.socket.end()
  }

  protected socketBufferedBytes(): number {
    return this.socket.writableLength
  }

  destroy(): void {
    this.socket.destroy()
  }

  protected deliver(body: Buffer, isText: boolean): void {
    this.host.onBody(this, body, isText)
  }

  protected pauseSocket(): void {
    this.socket.pause()
  }

  protected resumeSocket(): void {
    this.socket.resume()
  }
}
