import { Gateway } from '../../gateway/gateway.js'
import type { GatewayOptions } from '../../gateway/options.js'
import { PAYLOAD_BYTES, STATE_ROUTE } from '../wire.js'
import type { ServerPorts } from './server-protocol.js'

/**
 * The benchmark's gateway: default options except the per-session rate
 * budget, which the load exceeds on purpose (the bench prints this).
 */
export const BENCH_GATEWAY_OPTIONS: GatewayOptions = {
  host: '127.0.0.1',
  tcpPort: 0,
  wsPort: 0,
  linePort: 'off',
  tlsPort: 'off',
  wssPort: 'off',
  opsPort: 0,
  logLevel: 'warn',
  drainDelayMs: 0,
  maxMessagesPerSecond: 10_000_000,
  maxBurstMessages: 10_000_000,
}

/** A running bench gateway and its broadcast driver. */
export interface PortcullisBench {
  readonly ports: ServerPorts
  startBroadcast(roomSize: number, tickHz: number): void
  stop(): Promise<void>
}

/** Starts the gateway with the `echo` route and room assignment. */
export async function startPortcullis(): Promise<PortcullisBench> {
  const gateway = new Gateway(BENCH_GATEWAY_OPTIONS)
  gateway.route('echo', (context) => context.payload)
  let roomSize = 0
  let joined = 0
  gateway.on('session', (session) => {
    if (roomSize === 0) return
    gateway.group(`room-${Math.floor(joined / roomSize)}`).add(session)
    joined += 1
  })
  const addresses = await gateway.listen()
  let ticker: NodeJS.Timeout | undefined

  return {
    ports: {
      ...(addresses.tcp && { tcp: addresses.tcp.port }),
      ...(addresses.ws && { ws: addresses.ws.port }),
      ...(addresses.ops && { ops: addresses.ops.port }),
    },
    startBroadcast(size: number, tickHz: number): void {
      roomSize = size
      const rooms = () => Math.ceil(joined / size)
      const payload = Buffer.alloc(PAYLOAD_BYTES, 0x2e)
      ticker = setInterval(() => {
        for (let room = 0; room < rooms(); room += 1) {
          payload.writeDoubleBE(nowUs(), 0)
          gateway.group(`room-${room}`).broadcast(STATE_ROUTE, payload)
        }
      }, 1000 / tickHz)
    },
    async stop(): Promise<void> {
      if (ticker !== undefined) clearInterval(ticker)
      await gateway.close()
    },
  }
}

/** Microseconds of the monotonic clock every process on the host shares. */
export function nowUs(): number {
  return Number(process.hrtime.bigint() / 1000n)
}
