import { cpus } from 'node:os'
import { PortcullisClient } from '../../client/index.js'
import { Gateway } from '../../gateway/gateway.js'
import type { Session } from '../../session/index.js'

/**
 * The `faults` scenario: clients under push and request load while their
 * connections are killed at seeded random moments, from the client side
 * (socket destroyed) and from the server side (transport destroyed). It
 * reports resume success and every push lost, duplicated or reordered,
 * and every request run twice, next to throughput. All of them must be 0.
 *
 * Self-contained: it runs its own gateway on 127.0.0.1 port 0. The bench
 * wires it with `runFaults(options)` and prints `formatFaults(report)`.
 */

/** Options of one faults run; every field has a default. */
export interface FaultsOptions {
  /** Clients connected at once (default 50). */
  clients?: number
  /** Measured time, in ms (default 10,000). */
  durationMs?: number
  /** Pushes per second to each client (default 200). */
  pushesPerSecond?: number
  /** Connection kills per second over all clients (default 20). */
  killsPerSecond?: number
  /** 'tcp', 'ws' or 'mixed': each reconnect alternates (default 'mixed'). */
  transport?: 'tcp' | 'ws' | 'mixed'
  /** Seed of every random choice (default: random, reported). */
  seed?: number
}

/** What one faults run measured. */
export interface FaultsReport {
  readonly seed: number
  readonly clients: number
  readonly durationMs: number
  readonly transport: string
  readonly kills: number
  readonly resumesTried: number
  readonly resumesSucceeded: number
  /** resumesSucceeded / resumesTried (1 when nothing was tried). */
  readonly resumeSuccessRate: number
  readonly pushesSent: number
  readonly pushesDelivered: number
  readonly pushesLost: number
  readonly pushesDuplicated: number
  readonly pushesReordered: number
  readonly requestsAnswered: number
  readonly requestsRunTwice: number
  readonly requestsFailed: number
  /** Pushes delivered plus requests answered, per second. */
  readonly messagesPerSecond: number
  /** Rate budget raised for the run (printed, as DESIGN.md asks). */
  readonly maxMessagesPerSecond: number
  readonly node: string
  readonly cpu: string
}

const PUSH_TICK_MS = 10
const RAISED_BUDGET = 1_000_000

/** Tracks one client's pushes: each number once, in order. */
class PushLedger {
  received = 0
  duplicated = 0
  reordered = 0
  #highest = 0
  readonly #seen = new Set<number>()

  add(value: number): void {
    if (this.#seen.has(value)) this.duplicated += 1
    else {
      this.#seen.add(value)
      this.received += 1
    }
    if (value < this.#highest) this.reordered += 1
    this.#highest = Math.max(this.#highest, value)
  }
}

function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** A gateway whose sessions push numbers and count request runs by key. */
async function startFaultsGateway(pushesPerSecond: number) {
  const gateway = new Gateway({
    host: '127.0.0.1',
    tcpPort: 0,
    wsPort: 0,
    linePort: 'off',
    tlsPort: 'off',
    wssPort: 'off',
    opsPort: 'off',
    logLevel: 'silent',
    drainDelayMs: 0,
    drainTimeoutMs: 2_000,
    maxMessagesPerSecond: RAISED_BUDGET,
    maxBurstMessages: RAISED_BUDGET,
    maxReplayPushes: 100_000,
    maxReplayBytes: 64 << 20,
    maxOutboundBytes: 128 << 20,
  })
  const pushed = new Map<Session, number>()
  const runs = new Map<string, number>()
  const perTick = Math.max(
    1,
    Math.round((pushesPerSecond * PUSH_TICK_MS) / 1e3),
  )
  gateway.route('faults.start', (context) => {
    pushed.set(context.session, 0)
    return null
  })
  gateway.route('faults.once', (context) => {
    const key = String(context.payload)
    runs.set(key, (runs.get(key) ?? 0) + 1)
    return key
  })
  const timer = setInterval(() => {
    for (const [session, count] of pushed) {
      if (session.state === 'closed') continue
      for (let n = count + 1; n <= count + perTick; n += 1) {
        session.push('n', n)
      }
      pushed.set(session, count + perTick)
    }
  }, PUSH_TICK_MS)
  const addresses = await gateway.listen()
  return {
    gateway,
    urls: {
      tcp: `tcp://127.0.0.1:${addresses.tcp?.port}`,
      ws: `ws://127.0.0.1:${addresses.ws?.port}`,
    },
    pushed,
    runs,
    stopPushing: () => clearInterval(timer),
  }
}

/** Runs the faults scenario once. */
export async function runFaults(
  options: FaultsOptions = {},
): Promise<FaultsReport> {
  const clients = options.clients ?? 50
  const durationMs = options.durationMs ?? 10_000
  const pushesPerSecond = options.pushesPerSecond ?? 200
  const killsPerSecond = options.killsPerSecond ?? 20
  const transport = options.transport ?? 'mixed'
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31)
  const random = seededRandom(seed)
  const server = await startFaultsGateway(pushesPerSecond)
  const urls =
    transport === 'mixed'
      ? [server.urls.tcp, server.urls.ws]
      : [server.urls[transport]]

  const ledgers: PushLedger[] = []
  const players: PortcullisClient[] = []
  const counts = { tried: 0, resumed: 0, answered: 0, failed: 0, kills: 0 }
  let running = true
  const loops: Promise<void>[] = []
  for (let index = 0; index < clients; index += 1) {
    const ledger = new PushLedger()
    const client = new PortcullisClient(urls, {
      reconnect: { initialDelayMs: 50, maxDelayMs: 500, random },
      requestTimeoutMs: 30_000,
    })
    client.on('push', (push) => ledger.add(push.payload as number))
    client.on('open', (info) => {
      if (info.welcome.resume === null) return
      counts.tried += 1
      if (info.resumed) counts.resumed += 1
    })
    await client.connect()
    await client.request('faults.start')
    ledgers.push(ledger)
    players.push(client)
    loops.push(
      (async () => {
        for (let k = 0; running; k += 1) {
          const key = `${index}:${k}`
          try {
            if ((await client.request('faults.once', key)) === key) {
              counts.answered += 1
            } else counts.failed += 1
          } catch {
            counts.failed += 1
            await sleep(10)
          }
        }
      })(),
    )
  }

  const started = performance.now()
  const killer = setInterval(
    () => {
      const victim = players[Math.floor(random() * players.length)]
      if (victim === undefined || victim.state !== 'open') return
      counts.kills += 1
      if (random() < 0.5) {
        victim.reconnect()
        return
      }
      const sessionId = victim.sessionId
      if (sessionId === undefined) return
      server.gateway.registry.get(sessionId).then((session) => {
        session?.transport?.destroy()
      })
    },
    Math.max(1, Math.round(1_000 / killsPerSecond)),
  )
  await sleep(durationMs)
  clearInterval(killer)
  server.stopPushing()
  running = false

  // Let every client catch up: reconnect, resume, take its replay.
  const sent = [...server.pushed.values()].reduce((a, b) => a + b, 0)
  const deadline = performance.now() + 15_000
  while (performance.now() < deadline) {
    const delivered = ledgers.reduce((sum, ledger) => sum + ledger.received, 0)
    if (delivered >= sent) break
    await sleep(20)
  }
  await Promise.all(loops)
  const seconds = (performance.now() - started) / 1_000
  for (const client of players) await client.close()
  await server.gateway.close()

  const delivered = ledgers.reduce((sum, ledger) => sum + ledger.received, 0)
  const runTwice = [...server.runs.values()].filter((n) => n > 1).length
  return {
    seed,
    clients,
    durationMs,
    transport,
    kills: counts.kills,
    resumesTried: counts.tried,
    resumesSucceeded: counts.resumed,
    resumeSuccessRate: counts.tried === 0 ? 1 : counts.resumed / counts.tried,
    pushesSent: sent,
    pushesDelivered: delivered,
    pushesLost: sent - delivered,
    pushesDuplicated: ledgers.reduce((sum, l) => sum + l.duplicated, 0),
    pushesReordered: ledgers.reduce((sum, l) => sum + l.reordered, 0),
    requestsAnswered: counts.answered,
    requestsRunTwice: runTwice,
    requestsFailed: counts.failed,
    messagesPerSecond: Math.round((delivered + counts.answered) / seconds),
    maxMessagesPerSecond: RAISED_BUDGET,
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
  }
}

/** The report as lines for a terminal. */
export function formatFaults(report: FaultsReport): string {
  const percent = (report.resumeSuccessRate * 100).toFixed(2)
  return [
    `faults: ${report.clients} clients, ${report.durationMs} ms, ` +
      `${report.transport}, seed ${report.seed}`,
    `  rate budget raised to ${report.maxMessagesPerSecond} msg/s per session`,
    `  kills ${report.kills}; resumes ${report.resumesSucceeded}/` +
      `${report.resumesTried} (${percent}%)`,
    `  pushes sent ${report.pushesSent}, delivered ${report.pushesDelivered}` +
      `; lost ${report.pushesLost}, duplicated ${report.pushesDuplicated}` +
      `, reordered ${report.pushesReordered}`,
    `  requests answered ${report.requestsAnswered}, run twice ` +
      `${report.requestsRunTwice}, failed ${report.requestsFailed}`,
    `  throughput ${report.messagesPerSecond} msg/s (${report.node}, ` +
      `${report.cpu})`,
  ].join('\n')
}
