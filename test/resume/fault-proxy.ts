import {
  createServer,
  connect as netConnect,
  type Server,
  type Socket,
} from 'node:net'

/** Where a proxy cut the server-to-client stream. */
export interface Cut {
  /** Server-to-client bytes (all connections) before the cut. */
  readonly atByte: number
  /** True when the cut fell inside a length-prefixed frame. */
  readonly midFrame: boolean
}

/** Follows length-prefixed frames to know whether a cut splits one. */
class FrameTracker {
  #headerRead = 0
  #header = 0
  #bodyLeft = 0

  feed(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; ) {
      if (this.#bodyLeft > 0) {
        const take = Math.min(this.#bodyLeft, bytes.length - i)
        this.#bodyLeft -= take
        i += take
        continue
      }
      this.#header = this.#header * 256 + bytes[i]!
      this.#headerRead += 1
      i += 1
      if (this.#headerRead === 4) {
        this.#bodyLeft = this.#header
        this.#header = 0
        this.#headerRead = 0
      }
    }
  }

  get midFrame(): boolean {
    return this.#headerRead > 0 || this.#bodyLeft > 0
  }
}

/**
 * A TCP proxy that kills connections on purpose: at planned byte offsets
 * of the server-to-client stream (nudged a byte so they split a frame when
 * `framed`), on demand, or by refusing new connections for a while.
 */
export class FaultProxy {
  target: { host: string; port: number }
  /** New connections are dropped at once while true. */
  refusing = false
  readonly cuts: Cut[] = []
  readonly #plan: number[]
  readonly #framed: boolean
  readonly #server: Server
  readonly #pairs = new Set<[Socket, Socket]>()
  #bytesDown = 0
  connections = 0

  constructor(
    target: { host: string; port: number },
    options: { cutAtBytes?: readonly number[]; framed?: boolean } = {},
  ) {
    this.target = target
    this.#plan = [...(options.cutAtBytes ?? [])].sort((a, b) => a - b)
    this.#framed = options.framed ?? false
    this.#server = createServer((socket) => this.#accept(socket))
  }

  /** Listens on 127.0.0.1 and a free port; resolves with the port. */
  async listen(): Promise<number> {
    await new Promise<void>((resolve) =>
      this.#server.listen(0, '127.0.0.1', resolve),
    )
    const address = this.#server.address()
    if (address === null || typeof address === 'string')
      throw new Error('no port')
    return address.port
  }

  /** Drops every connection now, both ways, without a goodbye. */
  dropAll(): void {
    for (const [client, upstream] of this.#pairs) {
      upstream.destroy()
      client.destroy()
    }
    this.#pairs.clear()
  }

  async close(): Promise<void> {
    this.dropAll()
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }

  #accept(client: Socket): void {
    this.connections += 1
    client.on('error', () => client.destroy())
    if (this.refusing) {
      client.destroy()
      return
    }
    const upstream = netConnect(this.target)
    upstream.on('error', () => upstream.destroy())
    const pair: [Socket, Socket] = [client, upstream]
    this.#pairs.add(pair)
    const tracker = new FrameTracker()
    client.pipe(upstream)
    upstream.on('data', (chunk: Buffer) => {
      if (!this.#pairs.has(pair)) return
      const next = this.#plan[0]
      const end = this.#bytesDown + chunk.length
      if (next === undefined || next >= end) {
        tracker.feed(chunk)
        this.#bytesDown = end
        client.write(chunk)
        return
      }
      let take = Math.max(0, next - this.#bytesDown)
      tracker.feed(chunk.subarray(0, take))
      if (this.#framed && !tracker.midFrame && take < chunk.length) {
        tracker.feed(chunk.subarray(take, take + 1))
        take += 1
      }
      this.#plan.shift()
      this.#bytesDown += take
      this.cuts.push({ atByte: this.#bytesDown, midFrame: tracker.midFrame })
      this.#pairs.delete(pair)
      upstream.destroy()
      client.write(chunk.subarray(0, take), () => client.destroy())
    })
    // A server that closes politely gets its last bytes through.
    upstream.on('close', () => {
      if (this.#pairs.delete(pair)) client.end()
    })
    client.on('close', () => {
      this.#pairs.delete(pair)
      upstream.destroy()
    })
  }
}
