import type { Socket } from 'node:net'
import { encodeFrames, FrameDecoder } from '../codec/index.js'
import type { TransportName } from '../session/index.js'
import { Connection } from './connection.js'
import type { ConnectionHost } from './connection-host.js'

/**
 * A TCP or TLS connection: length-prefixed frames in both directions, every
 * frame queued in one turn written with a single socket write.
 */
export class StreamConnection extends Connection {
  readonly name: TransportName
  readonly #socket: Socket
  readonly #decoder: FrameDecoder
  readonly #host: ConnectionHost

  constructor(name: TransportName, socket: Socket, host: ConnectionHost) {
    super(socket.remoteAddress ?? '', host.traffic(name))
    this.name = name
    this.#socket = socket
    this.#host = host
    this.#decoder = new FrameDecoder(host.options.maxFrameBytes)
    socket.on('data', (chunk: Buffer) => this.#onData(chunk))
    socket.on('error', (error) => host.onSocketError(this, error))
    socket.on('close', () => {
      this.markGone()
      this.#decoder.stop()
      host.onConnectionClosed(this)
    })
  }

  #onData(chunk: Buffer): void {
    this.beginRead()
    try {
      this.traffic.bytesIn += chunk.length
      const error = this.#decoder.push(chunk, this.#onFrame)
      if (error !== undefined) this.#host.onPeerError(this, error)
    } finally {
      this.endRead()
    }
  }

  // Bound once per connection, not once per chunk.
  readonly #onFrame = (body: Buffer): void => {
    this.traffic.framesIn += 1
    this.receive(body, false)
  }

  /** Stops decoding what the peer sends (after a protocol error). */
  stopReading(): void {
    this.#decoder.stop()
    this.#socket.pause()
  }

  protected writeBodies(bodies: Buffer[]): void {
    const data = encodeFrames(bodies)
    this.traffic.bytesOut += data.length
    this.#socket.write(data)
  }

  protected finish(): void {
    this.#socket.end()
  }

  protected socketBufferedBytes(): number {
    return this.#socket.writableLength
  }

  destroy(): void {
    this.#socket.destroy()
  }

  protected deliver(body: Buffer, isText: boolean): void {
    this.#host.onBody(this, body, isText)
  }

  protected pauseSocket(): void {
    this.#socket.pause()
  }

  protected resumeSocket(): void {
    this.#socket.resume()
  }
}
