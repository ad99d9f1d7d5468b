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

const RING_SIZE = 1024
const TICK_MS = 1

/**
 * Open-loop echo: a fixed total rate spread round-robin over the
 * connections whatever the answers do. Latency runs from each request's
 * intended send time, so a stall of the server (or of this generator)
 * shows up in full instead of slowing the senders down.
 */
export async function runEchoOpen(
  context: ScenarioContext,
): Promise<JobResult> {
  const job = context.job
  const errors: ErrorCounts = {}
  const histogram = newHistogram()
  let measuring = false
  let messages = 0
  let offered = 0

  const sink: ClientSink = {
    ready() {},
    echo(client: LeanClient, id: number) {
      client.inFlight -= 1
      if (!measuring) return
      messages += 1
      const intended = client.sentAtMs[id & client.ringMask] as number
      const latencyUs = Math.round((performance.now() - intended) * 1000)
      histogram.recordValue(latencyUs)
    },
    push() {},
    closed(client, reason) {
      if (client.isReady) countError(errors, `lost_${reason}`)
    },
  }

  const deadline = performance.now() + job.timeoutMs / 2
  const clients = await connectAll(
    job,
    sink,
    job.connections,
    errors,
    deadline,
    RING_SIZE,
  )
  if (clients.length === 0) throw new Error('no connection became ready')
  const stopProgress = progressTicker(context, job.warmupMs + job.durationMs)
  const intervalMs = 1000 / job.ratePerSecond
  const startedAt = performance.now()
  let sent = 0
  const timer = setInterval(() => {
    const due = Math.floor((performance.now() - startedAt) / intervalMs)
    while (sent < due) {
      const client = clients[sent % clients.length] as LeanClient
      const intended = startedAt + sent * intervalMs
      sent += 1
      if (measuring) offered += 1
      if (client.inFlight >= RING_SIZE) {
        countError(errors, 'generator_backlog')
        continue
      }
      client.inFlight += 1
      client.sendEcho(client.nextId++, intended)
    }
  }, TICK_MS)

  await sleep(job.warmupMs)
  measuring = true
  const window = new CpuWindow(job.serverPid)
  await sleep(job.durationMs)
  const used = window.read()
  measuring = false
  clearInterval(timer)
  stopProgress()
  for (const client of clients) client.destroy()

  return {
    messages,
    ...used,
    histogram: encodeHistogram(histogram),
    errors,
    extra: { connected: clients.length, offered },
    histograms: {},
  }
}
