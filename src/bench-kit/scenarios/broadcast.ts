import type { ClientSink } from '../clients/lean-client.js'
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

/** Microseconds of the monotonic clock the server stamps pushes with. */
function clockOffsetUs(): number {
  return Number(process.hrtime.bigint() / 1000n) - performance.now() * 1000
}

/**
 * Broadcast: the server puts sessions in rooms of `roomSize` and pushes a
 * stamped state message to every room `tickHz` times a second; this side
 * only receives, acknowledges and measures delivery latency.
 */
export async function runBroadcast(
  context: ScenarioContext,
): Promise<JobResult> {
  const job = context.job
  const errors: ErrorCounts = {}
  const histogram = newHistogram()
  const offsetUs = clockOffsetUs()
  let measuring = false
  let messages = 0

  const sink: ClientSink = {
    ready() {},
    echo() {},
    push(_client, stampUs) {
      if (!measuring) return
      messages += 1
      const latencyUs = performance.now() * 1000 + offsetUs - stampUs
      histogram.recordValue(Math.max(1, Math.round(latencyUs)))
    },
    closed(client, reason) {
      if (client.isReady) countError(errors, `lost_${reason}`)
    },
  }

  const deadline = performance.now() + job.timeoutMs / 2
  const clients = await connectAll(job, sink, job.connections, errors, deadline)
  const stopProgress = progressTicker(context, job.warmupMs + job.durationMs)
  await sleep(job.warmupMs)
  measuring = true
  const window = new CpuWindow(job.serverPid)
  await sleep(job.durationMs)
  const used = window.read()
  measuring = false
  stopProgress()
  for (const client of clients) client.destroy()

  const rooms = Math.ceil(clients.length / job.roomSize)
  return {
    messages,
    ...used,
    histogram: encodeHistogram(histogram),
    errors,
    extra: {
      connected: clients.length,
      rooms,
      expectedFrames: clients.length * job.tickHz * used.seconds,
    },
    histograms: {},
  }
}
