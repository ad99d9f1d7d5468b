import { connect, type Socket } from 'node:net'

/** Where a client connects and from which loopback address. */
export interface Endpoint {
  readonly host: string
  readonly port: number
  readonly localAddress: string | undefined
}

/** What the scenario driving a client hears from it. */
export interface ClientSink {
  /** Handshake done (WELCOME, upgrade, connect): the client may send. */
  ready(client: LeanClient): void
  /** The answer to echo request `id` arrived. */
  echo(client: LeanClient, id: number): void
  /** A broadcast push stamped `stampUs` (shared monotonic clock) arrived. */
  push(client: LeanClient, stampUs: number): void
  /** The connection ended (`reason` says why, for error counts). */
  closed(client: LeanClient, reason: string): void
}

// One read buffer for every socket of the process: each read is parsed
// before its callback returns, and partial messages are copied out, so
// 100,000 idle connections hold no read buffers of their own.
const sharedReadBuffer = Buffer.allocUnsafe(256 * 1024)

/**
 * A generator-side connection that reads through `onread` into a shared
 * buffer, parses only what the measurement needs, and coalesces what it
 * sends while handling one read into a single write.
 */
export abstract class LeanClient {
  readonly index: number
  readonly sink: ClientSink
  /** Send times (ms) of requests in flight, by id modulo the ring size. */
  readonly sentAtMs: Float64Array
  readonly ringMask: number
  nextId = 1
  inFlight = 0
  isReady = false
  isClosed = false
  protected socket: Socket | undefined
  #partial: Buffer | undefined
  #inRead = false
  #out: Buffer[] = []

  constructor(index: number, sink: ClientSink, ringSize: number) {
    this.index = index
    this.sink = sink
    this.sentAtMs = new Float64Array(ringSize)
    this.ringMask = ringSize - 1
  }

  /** Opens the TCP connection; `ready` follows the handshake. */
  open(endpoint: Endpoint): void {
    const socket = connect({
      host: endpoint.host,
      port: endpoint.port,
      noDelay: true,
      ...(endpoint.localAddress === undefined
        ? {}
        : { localAddress: endpoint.localAddress }),
      onread: {
        buffer: sharedReadBuffer,
        callback: (bytes: number, buffer: Uint8Array) => {
          this.#onRead(buffer as Buffer, bytes)
          return true
        },
      },
    })
    this.socket = socket
    socket.on('connect', () => this.onConnect(endpoint))
    socket.on('error', (error: NodeJS.ErrnoException) => {
      this.#ended(error.code ?? 'error')
    })
    socket.on('close', () => this.#ended('closed'))
    socket.on('end', () => socket.end())
  }

  /** Sends one echo request carrying `id`, noting `atMs` as its send time. */
  abstract sendEcho(id: number, atMs: number): void

  /** Sends a heartbeat, where the protocol has one. */
  heartbeat(_nowMs: number): void {}

  /** Says goodbye in the protocol's way, then ends the connection. */
  close(): void {
    this.socket?.end()
  }

  /** Drops the connection at once. */
  destroy(): void {
    this.socket?.destroy()
  }

  protected abstract onConnect(endpoint: Endpoint): void

  /** Parses complete messages in data[0, end); returns bytes consumed. */
  protected abstract parse(data: Buffer, end: number): number

  /** Writes now, or after the read being handled (one write per read). */
  protected send(data: Buffer): void {
    if (this.#inRead) {
      this.#out.push(data)
      return
    }
    this.socket?.write(data)
  }

  protected markReady(): void {
    if (this.isReady) return
    this.isReady = true
    this.sink.ready(this)
  }

  #onRead(buffer: Buffer, bytes: number): void {
    let data = buffer
    let end = bytes
    const partial = this.#partial
    if (partial !== undefined) {
      data = Buffer.concat([partial, buffer.subarray(0, bytes)])
      end = data.length
      this.#partial = undefined
    }
    this.#inRead = true
    const used = this.parse(data, end)
    this.#inRead = false
    if (used < end) this.#partial = Buffer.from(data.subarray(used, end))
    const out = this.#out
    if (out.length === 0) return
    this.#out = []
    this.socket?.write(out.length === 1 ? out[0]! : Buffer.concat(out))
  }

  #ended(reason: string): void {
    if (this.isClosed) return
    this.isClosed = true
    this.sink.closed(this, reason)
  }
}
