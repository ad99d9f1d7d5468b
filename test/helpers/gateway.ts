import { connect, type Socket } from 'node:net'
import { pino } from 'pino'
import {
  type Envelope,
  FrameDecoder,
  MsgpackSerializer,
  parseEnvelope,
} from '../../src/codec/index.js'
import { Gateway, type GatewayParts } from '../../src/gateway/gateway.js'
import type { GatewayOptions } from '../../src/gateway/options.js'

/** Options every test gateway starts from: free ports, quiet logs. */
export const TEST_OPTIONS: GatewayOptions = {
  host: '127.0.0.1',
  tcpPort: 0,
  wsPort: 0,
  linePort: 0,
  tlsPort: 'off',
  wssPort: 'off',
  opsPort: 0,
  drainDelayMs: 0,
  logLevel: 'silent',
}

const msgpack = new MsgpackSerializer()

/** One envelope array as a length-prefixed MessagePack frame. */
export function frame(value: unknown[]): Buffer {
  const body = msgpack.encode(value)
  const header = Buffer.alloc(4)
  header.writeUInt32BE(body.length)
  return Buffer.concat([header, body])
}

/** Starts a gateway on free loopback ports. */
export async function startGateway(
  options: GatewayOptions = {},
  parts: GatewayParts = {},
): Promise<Gateway> {
  const gateway = new Gateway(
    { ...TEST_OPTIONS, ...options },
    { logger: pino({ level: 'silent' }), ...parts },
  )
  await gateway.listen()
  return gateway
}

/** The port of a bound listener, or a test failure. */
export function portOf(
  gateway: Gateway,
  name: 'tcp' | 'ws' | 'line' | 'tls' | 'wss' | 'ops',
): number {
  const address = gateway.addresses[name]
  if (address === undefined) throw new Error(`${name} listener is not bound`)
  return address.port
}

/**
 * A raw TCP peer that writes whatever bytes a test gives it and decodes
 * what the server sends, to test hostile and broken input.
 */
export class RawPeer {
  readonly socket: Socket
  readonly received: Envelope[] = []
  readonly closed: Promise<void>
  readonly #serializer = new MsgpackSerializer()
  readonly #decoder = new FrameDecoder(1 << 20)
  #waiters: Array<() => void> = []

  private constructor(socket: Socket) {
    this.socket = socket
    socket.on('data', (chunk) => {
      this.#decoder.push(chunk, (body) => {
        this.received.push(parseEnvelope(this.#serializer.decode(body)))
      })
      for (const wake of this.#waiters.splice(0)) wake()
    })
    socket.on('error', () => undefined)
    this.closed = new Promise((resolve) => socket.on('close', () => resolve()))
  }

  static connect(port: number): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port })
      socket.once('connect', () => resolve(new RawPeer(socket)))
      socket.once('error', reject)
    })
  }

  /** Writes a length-prefixed frame holding `body`. */
  sendFrame(body: Uint8Array): void {
    const header = Buffer.alloc(4)
    header.writeUInt32BE(body.length)
    this.socket.write(Buffer.concat([header, body]))
  }

  /** Writes an envelope array as MessagePack in one frame. */
  send(value: unknown[]): void {
    this.sendFrame(this.#serializer.encode(value))
  }

  /** Resolves with the first received envelope that matches. */
  async waitFor(match: (envelope: Envelope) => boolean): Promise<Envelope> {
    for (;;) {
      const found = this.received.find(match)
      if (found !== undefined) return found
      await new Promise<void>((resolve) => this.#waiters.push(resolve))
    }
  }

  /** Resolves with the CLOSE the server sent before ending the socket. */
  async closeCode(): Promise<number | undefined> {
    await this.closed
    const close = this.received.find((e) => e.kind === 10)
    return close?.kind === 10 ? close.code : undefined
  }
}

/** A telnet-style peer reading CRLF lines. */
export class LinePeer {
  readonly socket: Socket
  readonly lines: string[] = []
  readonly closed: Promise<void>
  #buffer = ''
  #waiters: Array<() => void> = []

  private constructor(socket: Socket) {
    this.socket = socket
    socket.setEncoding('utf8')
    socket.on('data', (text: string) => {
      this.#buffer += text
      const parts = this.#buffer.split('\r\n')
      this.#buffer = parts.pop() ?? ''
      this.lines.push(...parts)
      for (const wake of this.#waiters.splice(0)) wake()
    })
    socket.on('error', () => undefined)
    this.closed = new Promise((resolve) => socket.on('close', () => resolve()))
  }

  static connect(port: number): Promise<LinePeer> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port })
      socket.once('connect', () => resolve(new LinePeer(socket)))
      socket.once('error', reject)
    })
  }

  /** Types one line. */
  say(line: string): void {
    this.socket.write(`${line}\r\n`)
  }

  /** Resolves with the first line (seen so far or later) that matches. */
  async waitFor(match: RegExp): Promise<string> {
    for (;;) {
      const found = this.lines.find((line) => match.test(line))
      if (found !== undefined) return found
      await new Promise<void>((resolve) => this.#waiters.push(resolve))
    }
  }
}
