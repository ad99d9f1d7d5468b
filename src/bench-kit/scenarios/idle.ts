import type { ClientSink, LeanClient } from '../clients/lean-client.js'
import {
  connectAll,
  countError,
  type ErrorCounts,
  sleep,
} from '../connect-all.js'
import { encodeHistogram, newHistogram } from '../histogram.js'
import type { JobResult } from '../job.js'
import { CpuWindow } from '../proc-stat.js'
import { progressTicker, type ScenarioContext } from './scenario-context.js'

const SETTLE_MS = 1_000
const SWEEP_MS = 1_000
const WARM_UP_SESSIONS = 1_000

/**
 * Idle: open N sessions, keep them alive with heartbeats (spread evenly
 * over the interval) for `durationMs`, and measure the server's RSS after
 * a full GC before and after they connected.
 */
export async function runIdle(context: ScenarioContext): Promise<JobResult> {
  const job = context.job
  const errors: ErrorCounts = {}
  const connectHistogram = newHistogram()
  let lostDuringHold = 0
  let holding = false
  const openedAt = new Map<number, number>()

  const sink: ClientSink = {
    ready(client) {
      const started = openedAt.get(client.index)
      if (started === undefined) return
      openedAt.delete(client.index)
      const us = Math.round((performance.now() - started) * 1000)
      connectHistogram.recordValue(Math.max(1, us))
    },
    echo() {},
    push() {},
    closed(client, reason) {
      if (!client.isReady) return
      countError(errors, `lost_${reason}`)
      if (holding) lostDuringHold += 1
    },
  }

  // A warm-up round first, for every server alike: code compiled and
  // buffers grown on the first connections are paid once per process, not
  // per session, and would otherwise be charged to the sessions measured.
  const warmCount = Math.min(WARM_UP_SESSIONS, job.connections)
  const warmDeadline = performance.now() + job.timeoutMs / 4
  const quiet: ClientSink = {
    ready() {},
    echo() {},
    push() {},
    closed() {},
  }
  const warm = await connectAll(job, quiet, warmCount, {}, warmDeadline)
  for (const client of warm) client.close()
  await sleep(SETTLE_MS)
  const before = await context.serverMemory()
  const connectStarted = performance.now()
  for (let i = 0; i < job.connections; i += 1) openedAt.set(i, connectStarted)
  const deadline = connectStarted + job.timeoutMs / 2
  const clients = await connectAll(job, sink, job.connections, errors, deadline)
  const connectSeconds = (performance.now() - connectStarted) / 1000
  openedAt.clear()
  await sleep(SETTLE_MS)
  const after = await context.serverMemory()

  holding = true
  const stopProgress = progressTicker(context, job.durationMs)
  const window = new CpuWindow(job.serverPid)
  const heartbeats = startHeartbeats(clients, job.heartbeatMs)
  await sleep(job.durationMs)
  const used = window.read()
  holding = false
  clearInterval(heartbeats)
  stopProgress()
  const atEnd = await context.serverMemory()
  const alive = clients.filter((client) => !client.isClosed).length
  for (const client of clients) client.destroy()

  const perSession = (bytes: number) =>
    clients.length === 0 ? 0 : (bytes - before.rssBytes) / clients.length
  return {
    messages: alive,
    ...used,
    histogram: encodeHistogram(connectHistogram),
    errors,
    extra: {
      connected: clients.length,
      alive,
      lostDuringHold,
      connectSeconds,
      rssBeforeBytes: before.rssBytes,
      rssAfterBytes: after.rssBytes,
      rssAtEndBytes: atEnd.rssBytes,
      heapPerSessionBytes:
        clients.length === 0
          ? 0
          : (after.heapUsedBytes - before.heapUsedBytes) / clients.length,
      rssPerSessionBytes: perSession(after.rssBytes),
    },
    histograms: {},
  }
}

/** Heartbeats every client once per `intervalMs`, a slice per second. */
function startHeartbeats(
  clients: LeanClient[],
  intervalMs: number,
): NodeJS.Timeout {
  const slices = Math.max(1, Math.round(intervalMs / SWEEP_MS))
  let slice = 0
  return setInterval(() => {
    const now = Math.round(performance.now())
    for (let i = slice; i < clients.length; i += slices) {
      const client = clients[i] as LeanClient
      if (!client.isClosed) client.heartbeat(now)
    }
    slice = (slice + 1) % slices
  }, SWEEP_MS)
}
