import { connect, type Socket } from 'node:net'
import { Writable } from 'node:stream'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { decode, encode } from '@msgpack/msgpack'
import { type Logger, pino } from 'pino'
import { encodeFrame, FrameDecoder } from '../../src/codec/index.js'
import {
  Gateway,
  type GatewayAddresses,
  type GatewayParts,
} from '../../src/gateway/gateway.js'
import type { GatewayOptions } from '../../src/gateway/options.js'

/** Options every adversarial test starts from: port 0, no TLS, quiet. */
export const TEST_OPTIONS: GatewayOptions = Object.freeze({
  host: '127.0.0.1',
  tcpPort: 0,
  wsPort: 0,
  linePort: 0,
  opsPort: 0,
  tlsPort: 'off',
  wssPort: 'off',
  logLevel: 'silent',
  drainDelayMs: 0,
  drainTimeoutMs: 2_000,
})

/** A started gateway and where it listens. */
export interface Started {
  gateway: Gateway
  addresses: Required<Pick<GatewayAddresses, 'tcp' | 'ws' | 'line' | 'ops'>>
}

/** Starts a gateway on free ports with `options` over the test defaults. */
export async function startGateway(
  options: GatewayOptions = {},
  parts: GatewayParts = {},
): Promise<Started> {
  const gateway = new Gateway({ ...TEST_OPTIONS, ...options }, parts)
  const addresses = await gateway.listen()
  return { gateway, addresses: addresses as Started['addresses'] }
}

/** A pino logger that keeps every line in memory, parsed. */
export function memoryLogger(level = 'trace'): {
  logger: Logger
  lines: Array<{ level: number; msg: string; [key: string]: unknown }>
} {
  const lines: Array<{ level: number; msg: string }> = []
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const text of chunk.toString('utf8').split('\n')) {
        if (text !== '') lines.push(JSON.parse(text))
      }
      callback()
    },
  })
  return { logger: pino({ level }, stream), lines }
}

/** Resolves once `check` returns true, polling; rejects after `timeoutMs`. */
export async function waitFor(
  check: () => boolean,
  timeoutMs = 5_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`)
    await sleep(5)
  }
}

/** Waits `ms` milliseconds (only to space out writes, never for ordering). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Encodes an envelope with an independent MessagePack library. */
export function body(value: unknown[]): Buffer {
  return Buffer.from(encode(value))
}

/** Encodes an envelope and frames it with its 4-byte length. */
export function frame(value: unknown[]): Buffer {
  return encodeFrame(body(value))
}

/**
 * A hand-driven TCP client: writes whatever bytes a test wants and
 * collects every envelope the server sends.
 */
export class RawClient {
  readonly socket: Socket
  readonly received: unknown[][] = []
  readonly closed: Promise<void>
  #decoder = new FrameDecoder(16 * 1024 * 1024)
  #waiters: Array<() => void> = []
  #isClosed = false

  private constructor(socket: Socket) {
    this.socket = socket
    socket.on('data', (chunk: Buffer) => {
      this.#decoder.push(chunk, (data) => {
        this.received.push(decode(data) as unknown[])
      })
      this.#wake()
    })
    socket.on('error', () => {})
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.#isClosed = true
        this.#wake()
        resolve()
      }),
    )
  }

  /** Connects to `port` on 127.0.0.1 (from `localAddress` if given). */
  static connect(port: number, localAddress?: string): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({
        host: '127.0.0.1',
        port,
        ...(localAddress === undefined ? {} : { localAddress }),
      })
      socket.setNoDelay(true)
      socket.once('error', reject)
      socket.once('connect', () => {
        socket.off('error', reject)
        resolve(new RawClient(socket))
      })
    })
  }

  /** True once the socket closed. */
  get isClosed(): boolean {
    return this.#isClosed
  }

  /** The code of the CLOSE envelope received, if any. */
  get closeCode(): number | undefined {
    const close = this.received.find((message) => message[0] === 10)
    return close === undefined ? undefined : (close[1] as number)
  }

  #wake(): void {
    const waiters = this.#waiters
    this.#waiters = []
    for (const wake of waiters) wake()
  }

  /** Writes raw bytes. */
  write(bytes: Uint8Array): void {
    this.socket.write(bytes)
  }

  /** Frames and writes one envelope. */
  send(value: unknown[]): void {
    this.socket.write(frame(value))
  }

  /** Resolves with the first received envelope matching `match`. */
  async next(
    match: (message: unknown[]) => boolean,
    timeoutMs = 5_000,
  ): Promise<unknown[]> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const found = this.received.find(match)
      if (found !== undefined) return found
      if (this.#isClosed) throw new Error('connection closed while waiting')
      const left = deadline - Date.now()
      if (left <= 0) throw new Error('timed out waiting for a message')
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.#waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }

  /** Sends HELLO and resolves with the WELCOME envelope. */
  async hello(info: Record<string, unknown> = {}): Promise<unknown[]> {
    this.send([1, 1, info])
    return this.next((message) => message[0] === 2)
  }

  /** Sends a REQUEST and resolves with its RESPONSE. */
  async request(
    id: number,
    route: string,
    payload: unknown = null,
  ): Promise<unknown[]> {
    this.send([5, id, route, payload])
    return this.next((message) => message[0] === 6 && message[1] === id)
  }

  /** Resolves once the socket closed; rejects after `timeoutMs`. */
  async waitClosed(timeoutMs = 5_000): Promise<void> {
    await waitFor(() => this.#isClosed, timeoutMs, 'socket close')
  }

  destroy(): void {
    this.socket.destroy()
  }
}

/** Reads one counter's value from the Prometheus text of `/metrics`. */
export async function metricValue(
  gateway: Gateway,
  name: string,
  labels: Record<string, string | number> = {},
): Promise<number> {
  const metric = await gateway.metrics.registry.getSingleMetricAsString(name)
  const wanted = Object.entries(labels).map(([key, value]) => {
    return `${key}="${value}"`
  })
  let total = 0
  for (const line of metric.split('\n')) {
    if (line.startsWith('#') || !line.startsWith(name)) continue
    if (wanted.every((pair) => line.includes(pair))) {
      total += Number(line.slice(line.lastIndexOf(' ') + 1))
    }
  }
  return total
}

setFlagsFromString('--expose-gc')
/** A full garbage collection, so memory readings count live objects. */
export const collectGarbage = runInNewContext('gc') as () => void

/** Bytes the process holds in live JavaScript objects and buffers. */
export function heldBytes(): number {
  collectGarbage()
  const usage = process.memoryUsage()
  return usage.heapUsed + usage.arrayBuffers
}
