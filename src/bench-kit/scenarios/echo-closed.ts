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

/**
 * Closed-loop echo: every connection keeps `inFlight` requests
 * outstanding and sends the next as soon as an answer arrives.
 */
export async function runEchoClosed(
  context: ScenarioContext,
): Promise<JobResult> {
  const job = context.job
  const errors: ErrorCounts = {}
  const histogram = newHistogram()
  let measuring = false
  let running = true
  let messages = 0

  const sink: ClientSink = {
    ready() {},
    echo(client: LeanClient, id: number) {
      const now = performance.now()
      if (measuring) {
        messages += 1
        const sentAt = client.sentAtMs[id & client.ringMask] as number
        histogram.recordValue(Math.round((now - sentAt) * 1000))
      }
      if (running) client.sendEcho(client.nextId++, now)
    },
    push() {},
    closed(client, reason) {
      if (client.isReady && running) countError(errors, `lost_${reason}`)
    },
  }

  const deadline = performance.now() + job.timeoutMs / 2
  const clients = await connectAll(job, sink, job.connections, errors, deadline)
  const stopProgress = progressTicker(context, job.warmupMs + job.durationMs)
  const startedAt = performance.now()
  for (const client of clients) {
    for (let i = 0; i < job.inFlight; i += 1) {
      client.sendEcho(client.nextId++, startedAt)
    }
  }
  await sleep(job.warmupMs)
  measuring = true
  const window = new CpuWindow(job.serverPid)
  await sleep(job.durationMs)
  measuring = false
  const used = window.read()
  running = false
  stopProgress()
  for (const client of clients) client.destroy()

  return {
    messages,
    ...used,
    histogram: encodeHistogram(histogram),
    errors,
    extra: { connected: clients.length },
    histograms: {},
  }
}
