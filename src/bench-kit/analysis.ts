import { TargetName } from './job.js'
import { echoGroup } from './plan.js'
import type { RunRecord } from './runner.js'

/** A ratio of two runs' messages per server CPU-second, or why not. */
export interface Ratio {
  readonly value: number | null
  readonly ours: string
  readonly theirs: string
  /** Why the value is null (a run missing or generator-bound). */
  readonly excluded?: string
}

/** One target of issue #5, checked against this run. */
export interface TargetCheck {
  readonly name: string
  readonly goal: string
  readonly measured: string
  /** null: not measured in this run. */
  readonly met: boolean | null
}

function find(
  records: readonly RunRecord[],
  group: string,
  target: TargetName,
): RunRecord | undefined {
  return records.find((r) => r.group === group && r.target === target)
}

function ratio(
  records: readonly RunRecord[],
  group: string,
  ours: TargetName,
  theirs: TargetName,
): Ratio {
  const a = find(records, group, ours)
  const b = find(records, group, theirs)
  const names = { ours: `${group}/${ours}`, theirs: `${group}/${theirs}` }
  if (a === undefined || b === undefined) {
    return { value: null, ...names, excluded: 'not run' }
  }
  const bound = [a, b].filter((r) => r.generatorBound).map((r) => r.id)
  if (bound.length > 0) {
    return {
      value: null,
      ...names,
      excluded: `generator-bound: ${bound.join(', ')}`,
    }
  }
  if (b.perServerCpuSecond <= 0) {
    return { value: null, ...names, excluded: 'no server CPU measured' }
  }
  return { value: a.perServerCpuSecond / b.perServerCpuSecond, ...names }
}

/**
 * The ratios of issue #5 (ours over theirs, messages per server
 * CPU-second): `tcp/net`, `ws/ws`, `ws/socketio` in the 1,000-connection
 * one-in-flight echo, and the same with 8 pipelined.
 */
export function computeRatios(
  records: readonly RunRecord[],
  pipelined: number,
): Record<string, Ratio> {
  const one = echoGroup(1000, 1)
  const many = echoGroup(1000, pipelined)
  const T = TargetName
  return {
    'tcp/net': ratio(records, one, T.PORTCULLIS_TCP, T.NET),
    'ws/ws': ratio(records, one, T.PORTCULLIS_WS, T.WS),
    'ws/socketio': ratio(records, one, T.PORTCULLIS_WS, T.SOCKETIO),
    [`tcp/net x${pipelined}`]: ratio(records, many, T.PORTCULLIS_TCP, T.NET),
    [`ws/ws x${pipelined}`]: ratio(records, many, T.PORTCULLIS_WS, T.WS),
  }
}

function atLeast(name: string, found: Ratio, goal: number): TargetCheck {
  const value = found.value
  return {
    name,
    goal: `>= ${goal}x`,
    measured:
      value === null
        ? `n/a (${found.excluded})`
        : `${value.toFixed(2)}x (${signed(value / goal - 1)} vs goal)`,
    met: value === null ? null : value >= goal,
  }
}

function signed(fraction: number): string {
  const percent = Math.round(fraction * 100)
  return `${percent >= 0 ? '+' : ''}${percent}%`
}

function idleCheck(
  records: readonly RunRecord[],
  ours: TargetName,
  theirs: TargetName,
): TargetCheck {
  const a = find(records, 'idle', ours)
  const b = find(records, 'idle', theirs)
  const name = `idle memory ${ours} vs ${theirs}`
  if (a === undefined || b === undefined) {
    return { name, goal: '<= 1.5x', measured: 'not run', met: null }
  }
  const ourBytes = a.extra.rssPerSessionBytes ?? 0
  const theirBytes = Math.max(1, b.extra.rssPerSessionBytes ?? 0)
  const value = ourBytes / theirBytes
  return {
    name,
    goal: '<= 1.5x',
    measured:
      `${value.toFixed(2)}x (${kib(ourBytes)} vs ${kib(theirBytes)} ` +
      'per session)',
    met: value <= 1.5,
  }
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`
}

/** Every target of issue #5 with this run's number. */
export function checkTargets(
  records: readonly RunRecord[],
  ratios: Record<string, Ratio>,
  pipelined: number,
  idleGoal: { sessions: number; holdMs: number },
): TargetCheck[] {
  const none = { value: null, ours: '', theirs: '', excluded: 'not run' }
  const checks: TargetCheck[] = [
    atLeast('echo 1000x1 tcp/net', ratios['tcp/net'] ?? none, 0.9),
    atLeast('echo 1000x1 ws/ws', ratios['ws/ws'] ?? none, 0.9),
    atLeast('echo 1000x1 ws/socketio', ratios['ws/socketio'] ?? none, 2),
    atLeast(
      `echo 1000x${pipelined} tcp/net`,
      ratios[`tcp/net x${pipelined}`] ?? none,
      1.5,
    ),
    atLeast(
      `echo 1000x${pipelined} ws/ws`,
      ratios[`ws/ws x${pipelined}`] ?? none,
      1.2,
    ),
  ]

  for (const target of [TargetName.PORTCULLIS_TCP, TargetName.PORTCULLIS_WS]) {
    const run = find(records, 'broadcast', target)
    const goal = 250_000
    checks.push({
      name: `broadcast ${target} frames per server CPU-second`,
      goal: '>= 250k',
      measured:
        run === undefined
          ? 'not run'
          : `${Math.round(run.perServerCpuSecond / 1000)}k ` +
            `(${signed(run.perServerCpuSecond / goal - 1)} vs goal)` +
            (run.generatorBound ? ', generator-bound' : ''),
      met: run === undefined ? null : run.perServerCpuSecond >= goal,
    })
  }

  checks.push(idleCheck(records, TargetName.PORTCULLIS_TCP, TargetName.NET))
  checks.push(idleCheck(records, TargetName.PORTCULLIS_WS, TargetName.WS))
  const idle = find(records, 'idle', TargetName.PORTCULLIS_TCP)
  const held = idle?.extra.alive ?? 0
  const heldLong = (idle?.seconds ?? 0) * 1000 >= idleGoal.holdMs - 1000
  checks.push({
    name: 'idle sessions held heartbeating',
    goal: `${idleGoal.sessions} for ${idleGoal.holdMs / 1000} s`,
    measured:
      idle === undefined
        ? 'not run'
        : `${held} of ${idle.connections} for ` +
          `${Math.round(idle.seconds)} s` +
          (idle.connections < idleGoal.sessions
            ? ' (fewer asked or allowed by the open-file limit)'
            : ''),
    met:
      idle === undefined || idle.connections < idleGoal.sessions
        ? null
        : held >= idleGoal.sessions &&
          heldLong &&
          idle.extra.lostDuringHold === 0,
  })

  const ours = find(records, 'open-half', TargetName.PORTCULLIS_WS)
  const theirs = find(records, 'open-half', TargetName.WS)
  if (ours === undefined || theirs === undefined) {
    checks.push({
      name: 'open loop p99 at half saturation, ws vs ws',
      goal: '<= 1.5x',
      measured: 'not run (or no saturation found)',
      met: null,
    })
  } else {
    const value = ours.latency.p99Ms / Math.max(0.001, theirs.latency.p99Ms)
    checks.push({
      name: `open loop p99 at ${ours.ratePerSecond}/s, ws vs ws`,
      goal: '<= 1.5x',
      measured:
        `${value.toFixed(2)}x (${ours.latency.p99Ms} ms vs ` +
        `${theirs.latency.p99Ms} ms)`,
      met: value <= 1.5,
    })
  }

  const storm = records.find((r) => r.group === 'storm')
  checks.push({
    name: 'storm: players p99 vs calm, failed health checks',
    goal: '<= 5x, 0 failures',
    measured:
      storm === undefined
        ? 'not run'
        : `${(storm.extra.p99Ratio ?? 0).toFixed(2)}x ` +
          `(${storm.extra.calmP99Ms} -> ${storm.extra.stormP99Ms} ms), ` +
          `${storm.extra.healthFailures} of ${storm.extra.healthChecks} ` +
          `checks failed, ${storm.extra.arrived} arrived in ` +
          `${Math.round(storm.extra.allReadyMs ?? 0)} ms`,
    met:
      storm === undefined
        ? null
        : (storm.extra.p99Ratio ?? Infinity) <= 5 &&
          storm.extra.healthFailures === 0,
  })
  return checks
}
