import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { parseArgs } from 'node:util'

const USAGE = `Usage: portcullis bench [options]

Measures the gateway against raw net, raw ws and Socket.IO 4 in one run,
each server in its own process, pinned away from the load generator.

  --quick               the short run (under three minutes)
  --scenarios LIST      echo,open,broadcast,idle,churn,storm (default: all)
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
  const options = bench.readBenchOptions(flags)
  if (typeof options === 'string') {
    console.error(`portcullis bench: ${options}\n\n${USAGE}`)
    return 2
  }
  const report = await bench.runBenchmark(options)
  console.log(report.text)
  const json = flags.json as string | undefined
  const chart =
    (flags.chart as string | undefined) ?? json?.replace(/(\.json)?$/, '.svg')
  if (json !== undefined) {
    mkdirSync(dirname(json), { recursive: true })
    writeFileSync(json, `${JSON.stringify(report.json, null, 2)}\n`)
    console.log(`wrote ${json}`)
  }
  if (chart !== undefined) {
    mkdirSync(dirname(chart), { recursive: true })
    writeFileSync(chart, report.chart)
    console.log(`wrote ${chart}`)
  }
  return report.failedRuns > 0 ? 1 : 0
}
