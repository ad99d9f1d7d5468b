import { ScenarioName, TargetName } from './job.js'
import type { BenchSizes, RunSpec } from './plan.js'
import { type Pinning, runGenerator, ServerProcess } from './processes.js'
import { executeRun, jobFor, type RunRecord, toRecord } from './runner.js'
import { ServerKind } from './servers/server-protocol.js'

/** p99 above which the gateway no longer keeps up, in milliseconds. */
export const KEEPS_UP_P99_MS = 10
const FIRST_RATE = 2_000
const RATE_STEP = 1.5
const MAX_STEPS = 10

/** How many progress slots the open-loop part takes. */
export const OPEN_LOOP_SLOTS = MAX_STEPS + 2

function openSpec(
  id: string,
  group: string,
  server: ServerKind,
  target: TargetName,
  sizes: BenchSizes,
  ratePerSecond: number,
  durationMs: number,
): RunSpec {
  return {
    id,
    group,
    server,
    job: {
      scenario: ScenarioName.OPEN,
      target,
      connections: sizes.openConnections,
      inFlight: 1,
      ratePerSecond,
      warmupMs: 500,
      durationMs,
      roomSize: 0,
      tickHz: 0,
      heartbeatMs: 15_000,
      stormConnections: 0,
      stormWindowMs: 0,
      timeoutMs: 60_000,
    },
  }
}

/** True when the run answered what was offered with p99 under 10 ms. */
export function keptUp(record: RunRecord): boolean {
  const offered = record.extra.offered ?? 0
  return (
    record.latency.p99Ms < KEEPS_UP_P99_MS &&
    record.messages >= 0.97 * offered &&
    (record.errors.generator_backlog ?? 0) === 0
  )
}

/**
 * Open loop over WebSocket: raises the offered rate step by step until the
 * gateway stops keeping up (saturation), then runs the gateway and raw
 * `ws` at half that rate, where their p99 is compared.
 */
export async function runOpenLoop(
  sizes: BenchSizes,
  pinning: Pinning,
  onSlot: (label: string, fraction: number) => void,
): Promise<RunRecord[]> {
  const records: RunRecord[] = []
  const target = TargetName.PORTCULLIS_WS
  const server = await ServerProcess.start(ServerKind.PORTCULLIS, pinning)
  let saturation = 0
  try {
    let rate = FIRST_RATE
    for (let step = 0; step < MAX_STEPS; step += 1) {
      const spec = openSpec(
        `open-search/${target}@${rate}`,
        'open-search',
        ServerKind.PORTCULLIS,
        target,
        sizes,
        rate,
        sizes.openStepMs,
      )
      const label = `open loop search ${rate}/s`
      const result = await runGenerator(
        jobFor(spec, server),
        server,
        pinning,
        (fraction) => onSlot(label, fraction),
      )
      const record = toRecord(spec, result)
      records.push(record)
      if (!keptUp(record)) break
      saturation = rate
      rate = Math.round(rate * RATE_STEP)
    }
  } finally {
    await server.stop()
  }
  if (saturation === 0) return records

  const half = Math.round(saturation / 2)
  const pairs: Array<[ServerKind, TargetName]> = [
    [ServerKind.PORTCULLIS, TargetName.PORTCULLIS_WS],
    [ServerKind.WS, TargetName.WS],
  ]
  for (const [kind, name] of pairs) {
    const spec = openSpec(
      `open-half/${name}`,
      'open-half',
      kind,
      name,
      sizes,
      half,
      sizes.durationMs,
    )
    const label = `open loop ${name} at ${half}/s`
    records.push(
      await executeRun(spec, pinning, (fraction) => onSlot(label, fraction)),
    )
  }
  return records
}
