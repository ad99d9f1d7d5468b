import hdr from 'hdr-histogram-js'

/** A latency histogram in microseconds, from 1 µs to 10 minutes. */
export type Histogram = ReturnType<typeof hdr.build>

/** A new latency histogram (microseconds, 3 significant digits). */
export function newHistogram(): Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 600_000_000,
    numberOfSignificantValueDigits: 3,
  })
}

/** Packs a histogram for IPC and JSON. */
export function encodeHistogram(histogram: Histogram): string {
  return hdr.encodeIntoCompressedBase64(histogram)
}

/** Unpacks a histogram packed with `encodeHistogram`. */
export function decodeHistogram(text: string): Histogram {
  return hdr.decodeFromCompressedBase64(text)
}

/** The latency summary the report shows, in milliseconds. */
export interface LatencySummary {
  count: number
  p50Ms: number
  p99Ms: number
  p999Ms: number
  maxMs: number
}

/** Percentiles of a histogram of microseconds, in milliseconds. */
export function summarize(histogram: Histogram): LatencySummary {
  const ms = (us: number) => Math.round(us) / 1000
  return {
    count: histogram.totalCount,
    p50Ms: ms(histogram.getValueAtPercentile(50)),
    p99Ms: ms(histogram.getValueAtPercentile(99)),
    p999Ms: ms(histogram.getValueAtPercentile(99.9)),
    maxMs: ms(histogram.maxValue),
  }
}
