import { decodeHistogram, type LatencySummary, summarize } from './histogram.js'
import { type Job, type JobResult, TargetName } from './job.js'
import type { RunSpec } from './plan.js'
import { type Pinning, runGenerator, ServerProcess } from './processes.js'

/** Share of one core at which a process counts as saturated. */
export const SATURATED_CORES = 0.9

/** One finished run with its derived numbers. */
export interface RunRecord {
  readonly id: string
  readonly group: string
  readonly server: string
  readonly target: TargetName
  readonly scenario: string
  readonly connections: number
  readonly inFlight: number
  readonly ratePerSecond: number
  readonly messages: number
  readonly seconds: number
  readonly serverCpuSeconds: number
  readonly generatorCpuSeconds: number
  readonly perSecond: number
  readonly perServerCpuSecond: number
  readonly serverCores: number
  readonly generatorCores: number
  /** Cores other processes kept busy during the window (noise). */
  readonly otherCores: number
  /**
   * The generator used 90% or more of its core while the server used
   * less: the generator, not the server, set the pace.
   */
  readonly generatorBound: boolean
  readonly latency: LatencySummary
  readonly histogram: string
  readonly errors: Record<string, number>
  readonly extra: Record<string, number>
  readonly histograms: Record<string, string>
}

const WS_TARGETS: ReadonlySet<TargetName> = new Set([
  TargetName.PORTCULLIS_WS,
  TargetName.WS,
  TargetName.SOCKETIO,
])

let nextSeed = Math.floor(Math.random() * 250)

/** The generator job of `spec` against a started server. */
export function jobFor(spec: RunSpec, server: ServerProcess): Job {
  const port = WS_TARGETS.has(spec.job.target)
    ? server.ports.ws
    : server.ports.tcp
  if (port === undefined) {
    throw new Error(`${spec.server} server has no port for ${spec.job.target}`)
  }
  nextSeed = (nextSeed + 37) % 250
  return {
    ...spec.job,
    port,
    opsPort: server.ports.ops,
    serverPid: server.pid,
    addressSeed: nextSeed,
  }
}

/** Turns a generator result into a record. */
export function toRecord(spec: RunSpec, result: JobResult): RunRecord {
  const seconds = result.seconds
  const serverCores = result.serverCpu / seconds
  const generatorCores = result.generatorCpu / seconds
  return {
    id: spec.id,
    group: spec.group,
    server: spec.server,
    target: spec.job.target,
    scenario: spec.job.scenario,
    connections: spec.job.connections,
    inFlight: spec.job.inFlight,
    ratePerSecond: spec.job.ratePerSecond,
    messages: result.messages,
    seconds,
    serverCpuSeconds: result.serverCpu,
    generatorCpuSeconds: result.generatorCpu,
    perSecond: result.messages / seconds,
    perServerCpuSecond:
      result.serverCpu > 0 ? result.messages / result.serverCpu : 0,
    serverCores,
    generatorCores,
    otherCores: result.otherCpu / seconds,
    generatorBound:
      generatorCores >= SATURATED_CORES && serverCores < SATURATED_CORES,
    latency: summarize(decodeHistogram(result.histogram)),
    histogram: result.histogram,
    errors: result.errors,
    extra: result.extra,
    histograms: result.histograms,
  }
}

/**
 * Runs one spec: a fresh server process, one generator process, then the
 * server is stopped. Each process is pinned to its own core if possible.
 */
export async function executeRun(
  spec: RunSpec,
  pinning: Pinning,
  onProgress: (fraction: number) => void,
  serverArgs: string[] = [],
): Promise<RunRecord> {
  const server = await ServerProcess.start(spec.server, pinning, serverArgs)
  try {
    if (spec.job.tickHz > 0) {
      server.broadcast(spec.job.roomSize, spec.job.tickHz)
    }
    const job = jobFor(spec, server)
    const result = await runGenerator(job, server, pinning, onProgress)
    return toRecord(spec, result)
  } finally {
    await server.stop()
  }
}
