import type { Job, JobResult } from '../job.js'

/** What a scenario may ask of the generator process around it. */
export interface ScenarioContext {
  readonly job: Job
  /** Reports how far the run is, 0 to 1. */
  progress(fraction: number): void
  /** The server's RSS and heap after a full GC, in bytes. */
  serverMemory(): Promise<{ rssBytes: number; heapUsedBytes: number }>
}

/** A load pattern: runs once, bounded in time, and reports. */
export type Scenario = (context: ScenarioContext) => Promise<JobResult>

/** Reports progress every 250 ms until the returned stop is called. */
export function progressTicker(
  context: ScenarioContext,
  totalMs: number,
): () => void {
  const startedAt = performance.now()
  const timer = setInterval(() => {
    context.progress(Math.min(1, (performance.now() - startedAt) / totalMs))
  }, 250)
  return () => clearInterval(timer)
}
