import type { ClientSink, LeanClient } from '../clients/lean-client.js'
import {
  connectAll,
  countError,
  type ErrorCounts,
  sleep,
} from '../connect-all.js'
import {
  encodeHistogram,
  type Histogram,
  newHistogram,
  summarize,
} from '../histogram.js'
import type { JobResult } from '../job.js'
import { CpuWindow } from '../proc-stat.js'
import { startHealthProbe } from './health-probe.js'
import { progressTicker, type ScenarioContext } from './scenario-context.js'

const RING_SIZE = 1024
const AFTER_STORM_MS = 1_000
const PROBE_INTERVAL_MS = 100

/**
 * Storm: `connections` players send requests at a steady total rate (open
 * loop); after a calm phase, `stormConnections` new clients arrive within
 * `stormWindowMs` and handshake. The players' latency in both phases and
 * every failed health check are reported.
 */
export async function runStorm(context: ScenarioContext): Promise<JobResult> {
  const job = context.job
  const errors: ErrorCounts = {}
  const calm = newHistogram()
  const storm = newHistogram()
  let phase: Histogram | undefined
  let messages = 0

  const players: ClientSink = {
    ready() {},
    echo(client: LeanClient, id: number) {
      client.inFlight -= 1
      if (phase === undefined) return
      messages += 1
      const intended = client.sentAtMs[id & client.ringMask] as number
      phase.recordValue(Math.round((performance.now() - intended) * 1000))
    },
    push() {},
    closed(client, reason) {
      if (client.isReady) countError(errors, `player_lost_${reason}`)
    },
  }
  const deadline = performance.now() + job.timeoutMs / 4
  const playing = await connectAll(
    job,
    players,
    job.connections,
    errors,
    deadline,
    RING_SIZE,
  )
  if (playing.length === 0) throw new Error('no player became ready')
  const stopProbe = startHealthProbe(job.opsPort ?? 0, PROBE_INTERVAL_MS)
  const total = job.warmupMs + 2 * job.durationMs + job.stormWindowMs
  const stopProgress = progressTicker(context, total)
  const stopPlaying = play(playing, job.ratePerSecond, errors)

  await sleep(job.warmupMs)
  phase = calm
  await sleep(job.durationMs)
  phase = storm
  const window = new CpuWindow(job.serverPid)
  const stormStarted = performance.now()
  const arrivals = await arrive(context, errors, stormStarted)
  const allReadyMs = performance.now() - stormStarted
  await sleep(AFTER_STORM_MS)
  const used = window.read()
  phase = undefined
  stopPlaying()
  stopProgress()
  const health = stopProbe()
  for (const client of [...playing, ...arrivals]) client.destroy()

  const calmP99 = summarize(calm).p99Ms
  const stormP99 = summarize(storm).p99Ms
  return {
    messages,
    ...used,
    histogram: encodeHistogram(storm),
    errors,
    extra: {
      players: playing.length,
      arrived: arrivals.length,
      allReadyMs,
      calmP99Ms: calmP99,
      stormP99Ms: stormP99,
      p99Ratio: calmP99 > 0 ? stormP99 / calmP99 : 0,
      healthChecks: health.checks,
      healthFailures: health.failures,
    },
    histograms: { calm: encodeHistogram(calm), storm: encodeHistogram(storm) },
  }
}

/** Sends the players' requests at a fixed total rate; returns a stop. */
function play(
  clients: LeanClient[],
  ratePerSecond: number,
  errors: ErrorCounts,
): () => void {
  const intervalMs = 1000 / ratePerSecond
  const startedAt = performance.now()
  let sent = 0
  const timer = setInterval(() => {
    const due = Math.floor((performance.now() - startedAt) / intervalMs)
    while (sent < due) {
      const client = clients[sent % clients.length] as LeanClient
      const intended = startedAt + sent * intervalMs
      sent += 1
      if (client.inFlight >= RING_SIZE || client.isClosed) {
        countError(errors, 'player_backlog')
        continue
      }
      client.inFlight += 1
      client.sendEcho(client.nextId++, intended)
    }
  }, 1)
  return () => clearInterval(timer)
}

/** Opens the storm's connections spread evenly over its window. */
async function arrive(
  context: ScenarioContext,
  errors: ErrorCounts,
  startedAt: number,
): Promise<LeanClient[]> {
  const job = context.job
  const sink: ClientSink = {
    ready() {},
    echo() {},
    push() {},
    closed(client, reason) {
      if (client.isReady) countError(errors, `arrival_lost_${reason}`)
    },
  }
  const stormJob = {
    ...job,
    addressSeed: job.addressSeed + 100,
    timeoutMs: job.timeoutMs,
  }
  return connectAll(
    stormJob,
    sink,
    job.stormConnections,
    errors,
    startedAt + job.timeoutMs / 2,
    64,
    job.stormWindowMs,
  )
}
