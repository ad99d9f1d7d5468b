import { Counter, Gauge, Registry } from 'prom-client'
import { SessionState, TransportName } from '../session/index.js'
import { LatencyHistogram } from './latency-histogram.js'

/** Per-transport traffic counts, kept as plain numbers on the hot path. */
export interface TrafficCounts {
  connections: number
  accepted: number
  framesIn: number
  framesOut: number
  bytesIn: number
  bytesOut: number
  /** Times reading paused at maxPendingRequests. */
  readPauses: number
}

function emptyTraffic(): TrafficCounts {
  return {
    connections: 0,
    accepted: 0,
    framesIn: 0,
    framesOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    readPauses: 0,
  }
}

/**
 * The gateway's Prometheus metrics. Hot counters are plain fields read at
 * scrape time, so a frame costs an addition, not a label lookup.
 */
export class GatewayMetrics {
  readonly registry = new Registry()
  readonly traffic: Record<TransportName, TrafficCounts>
  readonly sessionsByState: Record<SessionState, number>
  readonly closes: Counter<'code'>
  readonly refused: Counter<'reason'>
  readonly dropped: Counter<'what'>
  readonly protocolErrors: Counter<'code'>
  readonly handlerFailures: Counter<'outcome'>
  readonly handlerSeconds: LatencyHistogram
  /** Resume attempts by outcome: `resumed` or a refusal reason. */
  readonly resumes: Counter<'outcome'>
  /** Open sessions a new connection took over (old one closed 4002). */
  readonly takeovers: Counter
  /** Sessions whose replay buffer overflowed: no longer resumable. */
  readonly replayOverflows: Counter
  /** Logins of a user already online, by what the policy did. */
  readonly duplicateLogins: Counter<'outcome'>

  constructor() {
    const traffic = {} as Record<TransportName, TrafficCounts>
    for (const name of Object.values(TransportName)) {
      traffic[name] = emptyTraffic()
    }
    this.traffic = traffic
    const byState = {} as Record<SessionState, number>
    for (const state of Object.values(SessionState)) byState[state] = 0
    this.sessionsByState = byState

    const registry = this.registry
    this.#trafficGauge('connections', 'Open connections', 'connections', false)
    this.#trafficGauge('connections_total', 'Accepted connections', 'accepted')
    this.#trafficGauge('frames_in_total', 'Frames received', 'framesIn')
    this.#trafficGauge('frames_out_total', 'Frames sent', 'framesOut')
    this.#trafficGauge('bytes_in_total', 'Bytes received', 'bytesIn')
    this.#trafficGauge('bytes_out_total', 'Bytes sent', 'bytesOut')
    this.#trafficGauge(
      'read_pauses_total',
      'Reads paused at maxPendingRequests',
      'readPauses',
    )
    new Gauge({
      name: 'portcullis_sessions',
      help: 'Sessions by state, now (ended ones: portcullis_closes_total)',
      labelNames: ['state'],
      registers: [registry],
      collect() {
        for (const state of Object.values(SessionState)) {
          if (state !== SessionState.CLOSED) this.set({ state }, byState[state])
        }
      },
    })
    this.closes = new Counter({
      name: 'portcullis_closes_total',
      help: 'Sessions closed, by close code',
      labelNames: ['code'],
      registers: [registry],
    })
    this.refused = new Counter({
      name: 'portcullis_refused_total',
      help: 'Connections refused before a session, by reason',
      labelNames: ['reason'],
      registers: [registry],
    })
    this.dropped = new Counter({
      name: 'portcullis_dropped_total',
      help: 'Messages dropped or shed, by what',
      labelNames: ['what'],
      registers: [registry],
    })
    this.protocolErrors = new Counter({
      name: 'portcullis_protocol_errors_total',
      help: 'Sessions ended by a peer error, by close code',
      labelNames: ['code'],
      registers: [registry],
    })
    this.handlerFailures = new Counter({
      name: 'portcullis_handler_failures_total',
      help: 'Handlers that threw, rejected or timed out, by outcome',
      labelNames: ['outcome'],
      registers: [registry],
    })
    this.handlerSeconds = new LatencyHistogram(
      'portcullis_handler_duration_seconds',
      'Time handlers took, by route',
      [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10],
      registry,
    )
    this.resumes = new Counter({
      name: 'portcullis_resumes_total',
      help: 'Resume attempts, by outcome (resumed or the refusal reason)',
      labelNames: ['outcome'],
      registers: [registry],
    })
    this.takeovers = new Counter({
      name: 'portcullis_takeovers_total',
      help: 'Sessions taken over from a connection that still looked open',
      registers: [registry],
    })
    this.replayOverflows = new Counter({
      name: 'portcullis_replay_overflows_total',
      help: 'Sessions whose replay buffer overflowed and cannot resume',
      registers: [registry],
    })
    this.duplicateLogins = new Counter({
      name: 'portcullis_duplicate_logins_total',
      help: 'Logins of a user already online, by outcome',
      labelNames: ['outcome'],
      registers: [registry],
    })
  }

  #trafficGauge(
    suffix: string,
    help: string,
    field: keyof TrafficCounts,
    monotonic = true,
  ): void {
    const traffic = this.traffic
    const metric = monotonic ? Counter : Gauge
    new metric({
      name: `portcullis_${suffix}`,
      help: `${help}, by transport`,
      labelNames: ['transport'],
      registers: [this.registry],
      collect(this: Counter<'transport'> | Gauge<'transport'>) {
        // Counters only go up, so the running totals are re-applied.
        if (this instanceof Counter) this.reset()
        for (const name of Object.values(TransportName)) {
          const value = traffic[name][field]
          if (this instanceof Gauge) this.set({ transport: name }, value)
          else this.inc({ transport: name }, value)
        }
      },
    })
  }
}
