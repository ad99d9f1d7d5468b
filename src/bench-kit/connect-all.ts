import { createClient, endpointFor } from './clients/create-client.js'
import type { ClientSink, LeanClient } from './clients/lean-client.js'
import type { Job } from './job.js'

const MAX_CONCURRENT_HANDSHAKES = 500

/** Counts of what went wrong, by reason. */
export type ErrorCounts = Record<string, number>

/** Adds one to `errors[reason]`. */
export function countError(errors: ErrorCounts, reason: string): void {
  errors[reason] = (errors[reason] ?? 0) + 1
}

/**
 * Opens `count` clients, at most 500 handshaking at once (or, with
 * `spreadOverMs`, evenly over that many milliseconds whatever is still
 * handshaking), and resolves with those that became ready before
 * `deadlineMs` (performance.now()). `sink` keeps receiving every event.
 */
export function connectAll(
  job: Job,
  sink: ClientSink,
  count: number,
  errors: ErrorCounts,
  deadlineMs: number,
  ringSize = 64,
  spreadOverMs = 0,
): Promise<LeanClient[]> {
  const ready: LeanClient[] = []
  let started = 0
  let settled = 0
  return new Promise((resolve) => {
    const finish = () => {
      clearTimeout(timer)
      clearInterval(spreader)
      resolve(ready)
    }
    const timer = setTimeout(
      () => {
        countError(errors, 'connect_timeout')
        finish()
      },
      Math.max(0, deadlineMs - performance.now()),
    )
    const watcher: ClientSink = {
      ready(client) {
        ready.push(client)
        settled += 1
        sink.ready(client)
        next()
      },
      echo: (client, id) => sink.echo(client, id),
      push: (client, stampUs) => sink.push(client, stampUs),
      closed(client, reason) {
        if (!client.isReady) {
          countError(errors, `connect_${reason}`)
          settled += 1
          next()
        }
        sink.closed(client, reason)
      },
    }
    const openOne = () => {
      const client = createClient(job.target, started, watcher, ringSize)
      client.open(endpointFor(job.port, started, job.addressSeed))
      started += 1
    }
    const next = () => {
      if (settled === count) {
        finish()
        return
      }
      if (spreadOverMs > 0) return
      while (started < count && started - settled < MAX_CONCURRENT_HANDSHAKES) {
        openOne()
      }
    }
    const spreadStarted = performance.now()
    const spreader = setInterval(() => {
      const elapsed = performance.now() - spreadStarted
      const due = Math.min(count, Math.ceil((count * elapsed) / spreadOverMs))
      while (started < due) openOne()
      if (started === count) clearInterval(spreader)
    }, 1)
    if (spreadOverMs <= 0) clearInterval(spreader)
    if (count === 0) finish()
    else next()
  })
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
