import type { Socket } from 'node:net'
import { LineDecoder } from '../codec/index.js'
import { TransportName } from '../session/index.js'
import { Connection } from './connection.js'
import type { ConnectionHost } from './connection-host.js'

/** A telnet-style connection: text lines in, text lines out. */
export class LineConnection extends Connection {
  readonly name = TransportName.LINE
  readonly #socket: Socket
  readonly #decoder: LineDecoder
  readonly #host: ConnectionHost

  constructor(socket: Socket, host: ConnectionHost) {
    super(socket.remoteAddress ?? '', host.traffic(TransportName.LINE))
    this.#socket = socket
    this.#host = host
    this.#decoder = new LineDecoder(host.options.maxLineBytes)
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
      const error = this.#decoder.push(chunk, (line) => {
        this.traffic.framesIn += 1
        this.receive(Buffer.from(line), false)
      })
      if (error !== undefined) this.#host.onPeerError(this, error)
    } finally {
      this.endRead()
    }
  }

  protected writeBodies(bodies: Buffer[]): void {
    const data = bodies.length === 1 ? bodies[0]! : Buffer.concat(bodies)
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
