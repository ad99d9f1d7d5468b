import { checkTargets, computeRatios } from './analysis.js'
import { ScenarioName } from './job.js'
import { OPEN_LOOP_SLOTS, runOpenLoop } from './open-loop.js'
import { type BenchSizes, FULL_SIZES, planRuns, QUICK_SIZES } from './plan.js'
import { canPin, type Pinning } from './processes.js'
import { ProgressBar } from './progress.js'
import { latencyChart } from './report/chart.js'
import { type BenchMeta, collectMeta, maxOpenFiles } from './report/meta.js'
import { ratioTable, runTable, targetTable } from './report/table.js'
import { executeRun, type RunRecord } from './runner.js'
import { BENCH_GATEWAY_OPTIONS } from './servers/portcullis-server.js'

/** What `portcullis bench` was asked to do. */
export interface BenchOptions {
  readonly quick: boolean
  readonly sizes: BenchSizes
  readonly scenarios: ReadonlySet<ScenarioName>
  readonly pin: boolean
  readonly profileDir: string | undefined
  readonly command: string
}

/** The finished report in its three forms. */
export interface BenchReport {
  readonly text: string
  readonly json: unknown
  readonly chart: string
  readonly failedRuns: number
}

const ALL_SCENARIOS = Object.values(ScenarioName)
const FILE_MARGIN = 1_000

function positiveInt(text: string | undefined): number | undefined | string {
  if (text === undefined) return undefined
  const value = Number(text)
  return Number.isSafeInteger(value) && value > 0 ? value : `bad number ${text}`
}

/** Reads the command's flags; returns a message when one is wrong. */
export function readBenchOptions(
  flags: Record<string, string | boolean | undefined>,
): BenchOptions | string {
  const quick = flags.quick === true
  const names = (
    (flags.scenarios as string | undefined) ?? ALL_SCENARIOS.join(',')
  )
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '')
  const unknown = names.filter(
    (name) => !ALL_SCENARIOS.includes(name as ScenarioName),
  )
  if (unknown.length > 0) return `unknown scenario ${unknown.join(', ')}`
  const sessions = positiveInt(flags['idle-sessions'] as string | undefined)
  const holdMs = positiveInt(flags['idle-hold-ms'] as string | undefined)
  const echo = positiveInt(flags['echo-connections'] as string | undefined)
  for (const value of [sessions, holdMs, echo]) {
    if (typeof value === 'string') return value
  }
  const base = quick ? QUICK_SIZES : FULL_SIZES
  const sizes: BenchSizes = {
    ...base,
    ...(typeof sessions === 'number' && { idleSessions: sessions }),
    ...(typeof holdMs === 'number' && { idleHoldMs: holdMs }),
    ...(typeof echo === 'number' && { echoConnections: [echo] }),
  }
  return {
    quick,
    sizes,
    scenarios: new Set(names as ScenarioName[]),
    pin: flags['no-pin'] !== true,
    profileDir: flags.profile as string | undefined,
    command: `portcullis bench ${process.argv.slice(3).join(' ')}`.trim(),
  }
}

function say(line: string): void {
  process.stderr.write(`${line}\n`)
}

/** Runs every planned run and the open-loop search; builds the report. */
export async function runBenchmark(
  options: BenchOptions,
): Promise<BenchReport> {
  const meta = collectMeta()
  const pinning: Pinning =
    options.pin && meta.cores >= 2 && canPin()
      ? { server: 0, generator: 1 }
      : { server: undefined, generator: undefined }
  const maxSessions = Math.max(100, maxOpenFiles() - FILE_MARGIN)
  const runs = planRuns(options.sizes, options.scenarios, maxSessions)
  const withOpen = options.scenarios.has(ScenarioName.OPEN)
  const progress = new ProgressBar(
    runs.length + (withOpen ? OPEN_LOOP_SLOTS : 0),
  )

  const gateway = BENCH_GATEWAY_OPTIONS
  say(
    `portcullis bench: node ${meta.node}, ${meta.cpuModel} x${meta.cores}, ` +
      `commit ${meta.commit}${meta.dirty ? ' (dirty)' : ''}`,
  )
  say(
    'bench gateway: per-session rate budget raised from 100 msg/s ' +
      `(burst 200) to ${gateway.maxMessagesPerSecond} msg/s ` +
      `(burst ${gateway.maxBurstMessages}): the load exceeds what a ` +
      'player sends',
  )
  say(
    pinning.server === undefined
      ? 'pinning: off (taskset missing, one core, or --no-pin)'
      : 'pinning: server on core 0, generator on core 1 (taskset)',
  )
  if (options.sizes.idleSessions > maxSessions) {
    say(
      `idle: ${options.sizes.idleSessions} sessions asked, open-file limit ` +
        `${maxOpenFiles()} allows ${maxSessions}; holding ${maxSessions}`,
    )
  }

  const records: RunRecord[] = []
  const failures: string[] = []
  const serverArgs = (server: string) =>
    options.profileDir !== undefined && server === 'portcullis'
      ? ['--cpu-prof', '--cpu-prof-dir', options.profileDir]
      : []
  for (const spec of runs) {
    progress.start(spec.id)
    try {
      records.push(
        await executeRun(
          spec,
          pinning,
          (fraction) => progress.update(fraction),
          serverArgs(spec.server),
        ),
      )
    } catch (error) {
      failures.push(`${spec.id}: ${(error as Error).message}`)
    }
    progress.finish()
  }
  if (withOpen) {
    let slot = ''
    try {
      const open = await runOpenLoop(options.sizes, pinning, (label, f) => {
        if (label !== slot) {
          if (slot !== '') progress.finish()
          slot = label
          progress.start(label)
        }
        progress.update(f)
      })
      records.push(...open)
    } catch (error) {
      failures.push(`open loop: ${(error as Error).message}`)
    }
  }
  progress.close()
  return buildReport(options, meta, records, failures, maxSessions)
}

function buildReport(
  options: BenchOptions,
  meta: BenchMeta,
  records: RunRecord[],
  failures: string[],
  maxSessions: number,
): BenchReport {
  const pipelined = options.sizes.pipelinedInFlight
  const ratios = computeRatios(records, pipelined)
  const targets = checkTargets(records, ratios, pipelined, {
    sessions: 100_000,
    holdMs: 120_000,
  })
  const title =
    `${options.command} | node ${meta.node} | ${meta.cpuModel} ` +
    `x${meta.cores} | ${meta.commit}${meta.dirty ? '+' : ''} | ${meta.date}`
  const text = [
    '',
    title,
    '',
    runTable(records),
    '',
    'Ratios: ours over theirs, messages per server CPU-second',
    ratioTable(ratios),
    '',
    targetTable(targets),
    ...(failures.length > 0 ? ['', 'FAILED RUNS:', ...failures] : []),
    '',
  ].join('\n')
  const ratioValues = Object.fromEntries(
    Object.entries(ratios).map(([name, ratio]) => [name, ratio.value]),
  )
  return {
    text,
    json: {
      meta: { ...meta, command: options.command, quick: options.quick },
      gatewayOptions: BENCH_GATEWAY_OPTIONS,
      sizes: options.sizes,
      maxSessions,
      ratios: ratioValues,
      ratioDetails: ratios,
      targets,
      runs: records,
      failures,
    },
    chart: latencyChart(records, title),
    failedRuns: failures.length,
  }
}
