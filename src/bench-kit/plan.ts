import { type Job, ScenarioName, TargetName } from './job.js'
import { ServerKind } from './servers/server-protocol.js'

/** One measured run: which server, which generator job. */
export interface RunSpec {
  /** Stable name in the report and JSON, e.g. `echo-1000x1/net`. */
  readonly id: string
  /** Runs whose numbers are compared with each other. */
  readonly group: string
  readonly server: ServerKind
  readonly job: Omit<Job, 'port' | 'opsPort' | 'serverPid' | 'addressSeed'>
}

/** Sizes of a bench run; `--quick` and the full run differ only here. */
export interface BenchSizes {
  readonly echoConnections: readonly number[]
  readonly pipelinedInFlight: number
  readonly warmupMs: number
  readonly durationMs: number
  readonly broadcastClients: number
  readonly roomSize: number
  readonly tickHz: number
  readonly idleSessions: number
  readonly idleHoldMs: number
  readonly churnLoops: number
  readonly openConnections: number
  readonly openStepMs: number
  readonly stormPlayers: number
  readonly stormPlayerRate: number
  readonly stormConnections: number
}

/** About two and a half minutes on two cores. */
export const QUICK_SIZES: BenchSizes = {
  echoConnections: [1000],
  pipelinedInFlight: 8,
  warmupMs: 1_000,
  durationMs: 3_000,
  broadcastClients: 2_000,
  roomSize: 100,
  tickHz: 20,
  idleSessions: 5_000,
  idleHoldMs: 3_000,
  churnLoops: 50,
  openConnections: 1000,
  openStepMs: 1_500,
  stormPlayers: 100,
  stormPlayerRate: 2_000,
  stormConnections: 10_000,
}

/** The full run: both connection counts, longer windows, a long idle. */
export const FULL_SIZES: BenchSizes = {
  echoConnections: [100, 1000],
  pipelinedInFlight: 8,
  warmupMs: 2_000,
  durationMs: 10_000,
  broadcastClients: 5_000,
  roomSize: 100,
  tickHz: 20,
  idleSessions: 100_000,
  idleHoldMs: 120_000,
  churnLoops: 100,
  openConnections: 1000,
  openStepMs: 4_000,
  stormPlayers: 100,
  stormPlayerRate: 2_000,
  stormConnections: 10_000,
}

const ECHO_TARGETS: ReadonlyArray<[ServerKind, TargetName]> = [
  [ServerKind.PORTCULLIS, TargetName.PORTCULLIS_TCP],
  [ServerKind.NET, TargetName.NET],
  [ServerKind.PORTCULLIS, TargetName.PORTCULLIS_WS],
  [ServerKind.WS, TargetName.WS],
  [ServerKind.SOCKETIO, TargetName.SOCKETIO],
]

const IDLE_TARGETS = ECHO_TARGETS.slice(0, 4)

const BASE = {
  connections: 0,
  inFlight: 1,
  ratePerSecond: 0,
  warmupMs: 0,
  durationMs: 0,
  roomSize: 0,
  tickHz: 0,
  heartbeatMs: 15_000,
  stormConnections: 0,
  stormWindowMs: 0,
  timeoutMs: 60_000,
} as const

/** The group name of closed-loop echo runs. */
export function echoGroup(connections: number, inFlight: number): string {
  return `echo-${connections}x${inFlight}`
}

/**
 * The runs of a bench, in order, for the chosen scenarios. Open-loop runs
 * are not listed: their rates depend on a search (see open-loop.ts).
 * `maxSessions` caps idle and storm sizes to what file limits allow.
 */
export function planRuns(
  sizes: BenchSizes,
  scenarios: ReadonlySet<ScenarioName>,
  maxSessions: number,
): RunSpec[] {
  const runs: RunSpec[] = []
  const window = { warmupMs: sizes.warmupMs, durationMs: sizes.durationMs }
  if (scenarios.has(ScenarioName.ECHO)) {
    for (const inFlight of [1, sizes.pipelinedInFlight]) {
      for (const connections of sizes.echoConnections) {
        const group = echoGroup(connections, inFlight)
        const targets = inFlight === 1 ? ECHO_TARGETS : ECHO_TARGETS.slice(0, 4)
        for (const [server, target] of targets) {
          runs.push({
            id: `${group}/${target}`,
            group,
            server,
            job: {
              ...BASE,
              ...window,
              scenario: ScenarioName.ECHO,
              target,
              connections,
              inFlight,
            },
          })
        }
      }
    }
  }
  if (scenarios.has(ScenarioName.BROADCAST)) {
    for (const target of [
      TargetName.PORTCULLIS_TCP,
      TargetName.PORTCULLIS_WS,
    ]) {
      runs.push({
        id: `broadcast/${target}`,
        group: 'broadcast',
        server: ServerKind.PORTCULLIS,
        job: {
          ...BASE,
          ...window,
          scenario: ScenarioName.BROADCAST,
          target,
          connections: sizes.broadcastClients,
          roomSize: sizes.roomSize,
          tickHz: sizes.tickHz,
        },
      })
    }
  }
  if (scenarios.has(ScenarioName.IDLE)) {
    const sessions = Math.min(sizes.idleSessions, maxSessions)
    for (const [server, target] of IDLE_TARGETS) {
      runs.push({
        id: `idle/${target}`,
        group: 'idle',
        server,
        job: {
          ...BASE,
          scenario: ScenarioName.IDLE,
          target,
          connections: sessions,
          durationMs: sizes.idleHoldMs,
          timeoutMs: sizes.idleHoldMs + 120_000,
        },
      })
    }
  }
  if (scenarios.has(ScenarioName.CHURN)) {
    for (const [server, target] of IDLE_TARGETS) {
      runs.push({
        id: `churn/${target}`,
        group: 'churn',
        server,
        job: {
          ...BASE,
          ...window,
          scenario: ScenarioName.CHURN,
          target,
          connections: sizes.churnLoops,
        },
      })
    }
  }
  if (scenarios.has(ScenarioName.STORM)) {
    runs.push({
      id: `storm/${TargetName.PORTCULLIS_TCP}`,
      group: 'storm',
      server: ServerKind.PORTCULLIS,
      job: {
        ...BASE,
        ...window,
        scenario: ScenarioName.STORM,
        target: TargetName.PORTCULLIS_TCP,
        connections: sizes.stormPlayers,
        ratePerSecond: sizes.stormPlayerRate,
        stormConnections: Math.min(sizes.stormConnections, maxSessions),
        stormWindowMs: 1_000,
      },
    })
  }
  return runs
}
