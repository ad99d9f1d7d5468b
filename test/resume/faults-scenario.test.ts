import { describe, expect, it } from 'vitest'
import {
  formatFaults,
  runFaults,
} from '../../src/bench-kit/scenarios/faults.js'
import { testSeed } from './seeded-random.js'

describe('the faults benchmark scenario', () => {
  it('loses, duplicates and reorders nothing while connections are killed', async () => {
    const report = await runFaults({
      clients: 8,
      durationMs: 1_500,
      pushesPerSecond: 500,
      killsPerSecond: 20,
      seed: testSeed('faults scenario'),
    })
    console.log(formatFaults(report))
    expect(report.kills).toBeGreaterThan(0)
    expect(report.resumesTried).toBeGreaterThan(0)
    expect(report.resumeSuccessRate).toBe(1)
    expect(report.pushesLost).toBe(0)
    expect(report.pushesDuplicated).toBe(0)
    expect(report.pushesReordered).toBe(0)
    expect(report.requestsRunTwice).toBe(0)
    expect(report.requestsFailed).toBe(0)
  })
})
