import { connect as netConnect, type Socket } from 'node:net'
import {
  type Envelope,
  envelope,
  parseEnvelope,
  type ResumeTicket,
} from '../../src/codec/envelope.js'
import { FrameDecoder } from '../../src/codec/frame-decoder.js'
import { encodeFrame } from '../../src/codec/frame-encoder.js'
import { MsgpackSerializer } from '../../src/codec/msgpack-serializer.js'
import { Gateway, type GatewayParts } from '../../src/gateway/gateway.js'
import type { GatewayOptions } from '../../src/gateway/options.js'

/** A gateway on free ports of 127.0.0.1, TCP and WebSocket, quiet. */
export async function startGateway(
  options: GatewayOptions = {},
  parts: GatewayParts = {},
): Promise<{ gateway: Gateway; tcpUrl: string; wsUrl: string }> {
  const gateway = new Gateway(
    {
      host: '127.0.0.1',
      tcpPort: 0,
      wsPort: 0,
      linePort: 'off',
      tlsPort: 'off',
      wssPort: 'off',
      opsPort: 'off',
      drainDelayMs: 0,
      drainTimeoutMs: 1_000,
      logLevel: 'silent',
      ...options,
    },
    parts,
  )
  const addresses = await gateway.listen()
  return {
    gateway,
    tcpUrl: `tcp://127.0.0.1:${addresses.tcp?.port}`,
    wsUrl: `ws://127.0.0.1:${addresses.ws?.port}`,
  }
}

/** Resolves once `check` is true; polls each event-loop turn. */
export async function until(
  check: () => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
}

/** Resolves with a deferred and its resolver. */
export function deferred<T>(): {
  promise: Promise<T>
  resolve: (value: T) => void
} {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => {
    resolve = r
  })
  return { promise, resolve }
}

const serializer = new MsgpackSerializer()

/** A bare protocol client over TCP that records every envelope. */
export class RawClient {
  readonly received: Envelope[] = []
  closed = false
  readonly #socket: Socket

  private constructor(socket: Socket) {
    this.#socket = socket
    const decoder = new FrameDecoder(1 << 20)
    socket.on('data', (chunk: Buffer) => {
      decoder.push(chunk, (body) =>
        this.received.push(parseEnvelope(serializer.decode(body))),
      )
    })
    socket.on('error', () => socket.destroy())
    socket.on('close', () => {
      this.closed = true
    })
  }

  static async connect(port: number): Promise<RawClient> {
    const socket = netConnect({ host: '127.0.0.1', port })
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve)
      socket.once('error', reject)
    })
    return new RawClient(socket)
  }

  send(value: unknown[]): void {
    this.#socket.write(encodeFrame(serializer.encode(value)))
  }

  hello(resume?: ResumeTicket, credentials?: unknown): void {
    const info: Record<string, unknown> = {}
    if (resume !== undefined) info.resume = resume
    if (credentials !== undefined) info.credentials = credentials
    this.send(envelope.hello(info))
  }

  /** The first envelope of `kind` received, once it arrived. */
  async next<K extends Envelope['kind']>(
    kind: K,
  ): Promise<Extract<Envelope, { kind: K }>> {
    let found: Envelope | undefined
    await until(() => {
      found = this.received.find((message) => message.kind === kind)
      return found !== undefined
    }, `envelope kind ${kind}`)
    return found as Extract<Envelope, { kind: K }>
  }

  destroy(): void {
    this.#socket.destroy()
  }
}
