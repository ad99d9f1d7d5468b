import type { Registry } from 'prom-client'

/** Observations of one label value (one route). */
export class LatencySeries {
  /** Observations per bucket (not cumulative); the last is +Inf. */
  readonly counts: Float64Array
  sum = 0
  count = 0

  constructor(bucketCount: number) {
    this.counts = new Float64Array(bucketCount + 1)
  }
}

/**
 * A Prometheus histogram of handler time by route, kept as plain arrays:
 * an observation is a bucket search and two additions, with no label
 * hashing on the request path. Exported in the standard histogram format.
 */
export class LatencyHistogram {
  readonly name: string
  readonly help: string
  readonly type = 'histogram'
  readonly aggregator = 'sum'
  readonly #boundsSeconds: readonly number[]
  readonly #series = new Map<string, LatencySeries>()

  constructor(
    name: string,
    help: string,
    boundsSeconds: readonly number[],
    registry: Registry,
  ) {
    this.name = name
    this.help = help
    this.#boundsSeconds = boundsSeconds
    registry.registerMetric(this as never)
  }

  /** The series of `route`; callers keep it to skip the lookup. */
  series(route: string): LatencySeries {
    let series = this.#series.get(route)
    if (series === undefined) {
      series = new LatencySeries(this.#boundsSeconds.length)
      this.#series.set(route, series)
    }
    return series
  }

  /** Records one observation of `seconds` in `series`. */
  observe(series: LatencySeries, seconds: number): void {
    const bounds = this.#boundsSeconds
    let bucket = 0
    while (bucket < bounds.length && seconds > (bounds[bucket] as number)) {
      bucket += 1
    }
    series.counts[bucket] = (series.counts[bucket] as number) + 1
    series.sum += seconds
    series.count += 1
  }

  /** prom-client's metric interface: the current values. */
  async get(): Promise<object> {
    const values: object[] = []
    for (const [route, series] of this.#series) {
      let cumulative = 0
      this.#boundsSeconds.forEach((bound, index) => {
        cumulative += series.counts[index] as number
        values.push({
          labels: { route, le: bound },
          value: cumulative,
          metricName: `${this.name}_bucket`,
        })
      })
      values.push(
        {
          labels: { route, le: '+Inf' },
          value: series.count,
          metricName: `${this.name}_bucket`,
        },
        {
          labels: { route },
          value: series.sum,
          metricName: `${this.name}_sum`,
        },
        {
          labels: { route },
          value: series.count,
          metricName: `${this.name}_count`,
        },
      )
    }
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values,
    }
  }

  /** prom-client's metric interface: forgets every observation. */
  reset(): void {
    this.#series.clear()
  }
}
