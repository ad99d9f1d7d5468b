import type { Socket } from 'node:net'
import { LineDecoder, type PortcullisError } from '../codec/index.js'
import { TransportName } from '../session/index.js'
import type { ConnectionHost } from './connection-host.js'
import { SocketConnection } from './socket-connection.js'

/** A telnet-style connection: text lines in, text lines out. */
export class LineConnection extends SocketConnection {
  readonly #decoder: LineDecoder

  constructor(socket: Socket, host: ConnectionHost) {
    super(TransportName.LINE, socket, host)
    this.#decoder = new LineDecoder(host.options.maxLineBytes)
  }

  protected decode(chunk: Buffer): PortcullisError | undefined {
    return this.#decoder.push(chunk, this.#onLine)
  }

  readonly #onLine = (line: string): void => {
    this.traffic.framesIn += 1
    this.receive(Buffer.from(line), false)
  }

  protected stopDecoding(): void {
    this.#decoder.stop()
  }

  protected writeBodies(bodies: Buffer[]): void {
    const data = bodies.length === 1 ? bodies[0]! : Buffer.concat(bodies)
    this.traffic.bytesOut += data.length
    this.write(data)
  }
}
