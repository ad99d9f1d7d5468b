import { get } from 'node:http'

const PROBE_TIMEOUT_MS = 1_000

/** Health checks sent and failed while a probe ran. */
export interface HealthCounts {
  checks: number
  failures: number
}

/**
 * Polls `/healthz` and `/readyz` on the ops port every `intervalMs`, as a
 * load balancer would; an answer other than 200, or none within a second,
 * is a failure. Returns a stop function that resolves with the counts.
 */
export function startHealthProbe(
  port: number,
  intervalMs: number,
): () => HealthCounts {
  const counts: HealthCounts = { checks: 0, failures: 0 }
  const probe = (path: string) => {
    counts.checks += 1
    const request = get(
      { host: '127.0.0.1', port, path, timeout: PROBE_TIMEOUT_MS },
      (response) => {
        if (response.statusCode !== 200) counts.failures += 1
        response.resume()
      },
    )
    request.on('timeout', () => request.destroy(new Error('timeout')))
    request.on('error', () => {
      counts.failures += 1
    })
  }
  const timer = setInterval(() => {
    probe('/healthz')
    probe('/readyz')
  }, intervalMs)
  return () => {
    clearInterval(timer)
    return counts
  }
}
