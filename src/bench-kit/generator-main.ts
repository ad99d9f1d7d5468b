import {
  type FromGenerator,
  type Job,
  type JobResult,
  ScenarioName,
  type ToGenerator,
} from './job.js'
import { runBroadcast } from './scenarios/broadcast.js'
import { runChurn } from './scenarios/churn.js'
import { runEchoClosed } from './scenarios/echo-closed.js'
import { runEchoOpen } from './scenarios/echo-open.js'
import { runIdle } from './scenarios/idle.js'
import type { Scenario, ScenarioContext } from './scenarios/scenario-context.js'
import { runStorm } from './scenarios/storm.js'

// The load generator, alone in its process (pinned to its own core) so
// its CPU use can be checked against the server's.

const scenarios: Record<ScenarioName, Scenario> = {
  [ScenarioName.ECHO]: runEchoClosed,
  [ScenarioName.OPEN]: runEchoOpen,
  [ScenarioName.BROADCAST]: runBroadcast,
  [ScenarioName.IDLE]: runIdle,
  [ScenarioName.CHURN]: runChurn,
  [ScenarioName.STORM]: runStorm,
}

function tell(message: FromGenerator): void {
  process.send?.(message)
}

let memoryWaiter:
  | ((memory: { rssBytes: number; heapUsedBytes: number }) => void)
  | undefined

async function run(job: Job): Promise<JobResult> {
  const scenario = scenarios[job.scenario]
  const context: ScenarioContext = {
    job,
    progress: (fraction) => tell({ type: 'progress', fraction }),
    serverMemory: () =>
      new Promise((resolve) => {
        memoryWaiter = resolve
        tell({ type: 'memory?' })
      }),
  }
  return scenario(context)
}

process.on('message', (message: ToGenerator) => {
  if (message.type === 'memory') {
    const waiter = memoryWaiter
    memoryWaiter = undefined
    waiter?.(message)
    return
  }
  const hardStop = setTimeout(() => {
    tell({ type: 'failed', message: 'run passed its time limit' })
    process.exit(1)
  }, message.job.timeoutMs)
  run(message.job).then(
    (result) => {
      clearTimeout(hardStop)
      tell({ type: 'result', result })
      process.disconnect()
      setTimeout(() => process.exit(0), 100)
    },
    (error: unknown) => {
      tell({
        type: 'failed',
        message: String((error as Error)?.stack ?? error),
      })
      process.exit(1)
    },
  )
})
process.on('disconnect', () => process.exit(0))
