import { createClient, endpointFor } from '../clients/create-client.js'
import type { ClientSink, LeanClient } from '../clients/lean-client.js'
import { countError, type ErrorCounts, sleep } from '../connect-all.js'
import { encodeHistogram, newHistogram } from '../histogram.js'
import type { JobResult } from '../job.js'
import { CpuWindow } from '../proc-stat.js'
import { progressTicker, type ScenarioContext } from './scenario-context.js'

/**
 * Churn: `connections` loops each connect, handshake, say goodbye and
 * close, then start over. Latency is connect to ready (WELCOME).
 */
export async function runChurn(context: ScenarioContext): Promise<JobResult> {
  const job = context.job
  const errors: ErrorCounts = {}
  const histogram = newHistogram()
  const startedAt = new Map<LeanClient, number>()
  let measuring = false
  let running = true
  let messages = 0
  let index = 0

  const open = () => {
    const client = createClient(job.target, index, sink)
    startedAt.set(client, performance.now())
    client.open(endpointFor(job.port, index, job.addressSeed))
    index += 1
  }
  const sink: ClientSink = {
    ready(client) {
      const started = startedAt.get(client) as number
      if (measuring) {
        messages += 1
        const us = Math.round((performance.now() - started) * 1000)
        histogram.recordValue(Math.max(1, us))
      }
      client.close()
    },
    echo() {},
    push() {},
    closed(client, reason) {
      startedAt.delete(client)
      if (!client.isReady) countError(errors, `connect_${reason}`)
      if (running) open()
    },
  }

  for (let i = 0; i < job.connections; i += 1) open()
  const stopProgress = progressTicker(context, job.warmupMs + job.durationMs)
  await sleep(job.warmupMs)
  measuring = true
  const window = new CpuWindow(job.serverPid)
  await sleep(job.durationMs)
  const used = window.read()
  measuring = false
  running = false
  stopProgress()
  for (const client of startedAt.keys()) client.destroy()

  return {
    messages,
    ...used,
    histogram: encodeHistogram(histogram),
    errors,
    extra: { loops: job.connections, opened: index },
    histograms: {},
  }
}
