import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { parseArgs } from 'node:util'

const USAGE = `Usage: portcullis bench [options]

Measures the gateway against raw net, raw ws and Socket.IO 4 in one run,
each server in its own process, pinned away from the load generator.

  --quick               the short run (under three minutes)
  --scenarios LIST      echo,open,broadcast,idle,churn,storm,faults
                        (default: all)
  --json FILE           write every number, the ratios and targets as JSON
  --chart FILE          write the latency distributions as SVG
                        (default with --json: the same name, .svg)
  --idle-sessions N     sessions held by the idle scenario
  --idle-hold-ms MS     how long the idle scenario holds them
  --echo-connections N  connections of the echo runs (default 1000)
  --profile DIR         run the gateway with --cpu-prof into DIR
  --no-pin              do not pin server and generator to cores
`

/** Runs `portcullis bench`; resolves with the exit code. */
export async function runBench(argv: string[]): Promise<number> {
  let flags: Record<string, string | boolean | undefined>
  try {
    flags = parseArgs({
      args: argv,
      strict: true,
      options: {
        quick: { type: 'boolean' },
        scenarios: { type: 'string' },
        json: { type: 'string' },
        chart: { type: 'string' },
        'idle-sessions': { type: 'string' },
        'idle-hold-ms': { type: 'string' },
        'echo-connections': { type: 'string' },
        profile: { type: 'string' },
        'no-pin': { type: 'boolean' },
        help: { type: 'boolean' },
      },
    }).values
  } catch (error) {
    console.error(`portcullis bench: ${(error as Error).message}\n\n${USAGE}`)
    return 2
  }
  if (flags.help) {
    console.log(USAGE)
    return 0
  }

  let bench: typeof import('../bench-kit/bench.js')
  try {
    bench = await import('../bench-kit/bench.js')
  } catch (error) {
    console.error(
      'portcullis bench needs the dev dependencies (hdr-histogram-js, ' +
        `socket.io): run npm ci in a checkout.\n${(error as Error).message}`,
    )
    return 1
  }
  // `faults` runs in this process with its own gateway; the other
  // scenarios run their servers and generators as separate processes.
  const requested = (flags.scenarios as string | undefined)
    ?.split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '')
  const withFaults = requested === undefined || requested.includes('faults')
  const others = requested?.filter((name) => name !== 'faults')
  const options = bench.readBenchOptions(
    others === undefined ? flags : { ...flags, scenarios: others.join(',') },
  )
  if (typeof options === 'string') {
    console.error(`portcullis bench: ${options}\n\n${USAGE}`)
    return 2
  }

  let json: Record<string, unknown> = {}
  let chartText: string | undefined
  let failed = false
  if (others === undefined || others.length > 0) {
    const report = await bench.runBenchmark(options)
    console.log(report.text)
    json = report.json as Record<string, unknown>
    chartText = report.chart
    failed = report.failedRuns > 0
  }
  if (withFaults) {
    const faults = await runFaultsScenario(flags.quick === true)
    json.faults = faults
    failed ||= !faults.clean
  }
  writeOutputs(flags, json, chartText)
  return failed ? 1 : 0
}

async function runFaultsScenario(quick: boolean) {
  const { formatFaults, runFaults } = await import(
    '../bench-kit/scenarios/faults.js'
  )
  console.log('\nfaults: killing connections under load...')
  const report = await runFaults({
    clients: quick ? 50 : 200,
    durationMs: quick ? 8_000 : 30_000,
  })
  console.log(formatFaults(report))
  const clean =
    report.pushesLost === 0 &&
    report.pushesDuplicated === 0 &&
    report.pushesReordered === 0 &&
    report.requestsRunTwice === 0
  return { ...report, clean }
}

function writeOutputs(
  flags: Record<string, string | boolean | undefined>,
  json: Record<string, unknown>,
  chartText: string | undefined,
): void {
  const jsonFile = flags.json as string | undefined
  const chart =
    (flags.chart as string | undefined) ??
    jsonFile?.replace(/(\.json)?$/, '.svg')
  if (jsonFile !== undefined) {
    mkdirSync(dirname(jsonFile), { recursive: true })
    writeFileSync(jsonFile, `${JSON.stringify(json, null, 2)}\n`)
    console.log(`wrote ${jsonFile}`)
  }
  if (chart !== undefined && chartText !== undefined) {
    mkdirSync(dirname(chart), { recursive: true })
    writeFileSync(chart, chartText)
    console.log(`wrote ${chart}`)
  }
}
