import {
  startNetEcho,
  startSocketIoEcho,
  startWsEcho,
} from './servers/baseline-servers.js'
import { startPortcullis } from './servers/portcullis-server.js'
import {
  type FromServer,
  ServerKind,
  type ServerPorts,
  type ToServer,
} from './servers/server-protocol.js'

// A server under test, alone in its process so its CPU time can be read
// from /proc. The bench forks it with IPC and --expose-gc.

function tell(message: FromServer): void {
  process.send?.(message)
}

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc
  gc?.()
  gc?.()
}

async function main(kind: string): Promise<void> {
  let ports: ServerPorts
  let onBroadcast: ((roomSize: number, tickHz: number) => void) | undefined
  let stop: () => Promise<void> = async () => {}
  if (kind === ServerKind.PORTCULLIS) {
    const bench = await startPortcullis()
    ports = bench.ports
    onBroadcast = bench.startBroadcast
    stop = bench.stop
  } else if (kind === ServerKind.NET) ports = await startNetEcho()
  else if (kind === ServerKind.WS) ports = await startWsEcho()
  else if (kind === ServerKind.SOCKETIO) ports = await startSocketIoEcho()
  else throw new Error(`unknown server kind ${kind}`)

  process.on('message', (message: ToServer) => {
    if (message.type === 'memory') {
      collectGarbage()
      const usage = process.memoryUsage()
      tell({
        type: 'memory',
        rssBytes: usage.rss,
        heapUsedBytes: usage.heapUsed,
      })
    } else if (message.type === 'broadcast') {
      onBroadcast?.(message.roomSize, message.tickHz)
    } else if (message.type === 'stop') {
      const timer = setTimeout(() => process.exit(0), 2_000)
      stop().finally(() => {
        clearTimeout(timer)
        process.exit(0)
      })
    }
  })
  process.on('disconnect', () => process.exit(0))
  tell({ type: 'ready', ports })
}

main(process.argv[2] ?? '').catch((error: unknown) => {
  tell({ type: 'failed', message: String(error) })
  process.exit(1)
})
