import type { Socket } from 'node:net'
import {
  encodeFrames,
  FrameDecoder,
  type PortcullisError,
} from '../codec/index.js'
import type { TransportName } from '../session/index.js'
import type { ConnectionHost } from './connection-host.js'
import { SocketConnection } from './socket-connection.js'

/**
 * A TCP or TLS connection: length-prefixed frames in both directions, every
 * frame queued in one turn written with a single socket write.
 */
export class StreamConnection extends SocketConnection {
  readonly #decoder: FrameDecoder

  constructor(name: TransportName, socket: Socket, host: ConnectionHost) {
    super(name, socket, host)
    this.#decoder = new FrameDecoder(host.options.maxFrameBytes)
  }

  protected decode(chunk: Buffer): PortcullisError | undefined {
    return this.#decoder.push(chunk, this.#onFrame)
  }

  // Bound once per connection, not once per chunk.
  readonly #onFrame = (body: Buffer): void => {
    this.traffic.framesIn += 1
    this.receive(body, false)
  }

  protected stopDecoding(): void {
    this.#decoder.stop()
  }

  protected writeBodies(bodies: Buffer[]): void {
    const data = encodeFrames(bodies)
    this.traffic.bytesOut += data.length
    this.write(data)
  }
}
