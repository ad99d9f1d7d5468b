import type { Ratio, TargetCheck } from '../analysis.js'
import type { RunRecord } from '../runner.js'

function pad(cells: string[][]): string {
  const widths = cells[0]?.map((_, i) =>
    Math.max(...cells.map((row) => (row[i] ?? '').length)),
  )
  return cells
    .map((row) =>
      row
        .map((cell, i) =>
          i === 0 || i === row.length - 1
            ? cell.padEnd(widths?.[i] ?? 0)
            : cell.padStart(widths?.[i] ?? 0),
        )
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}

function thousands(value: number): string {
  if (!Number.isFinite(value)) return '-'
  if (value >= 10_000) return `${Math.round(value / 1000)}k`
  if (value >= 1000) return `${(value / 1000).toFixed(1)}k`
  return String(Math.round(value))
}

function note(record: RunRecord): string {
  const notes: string[] = []
  if (record.generatorBound) notes.push('GENERATOR-BOUND')
  const errors = Object.entries(record.errors)
  if (errors.length > 0) {
    notes.push(errors.map(([key, count]) => `${key}:${count}`).join(' '))
  }
  const extra = record.extra
  if (record.scenario === 'idle') {
    notes.push(
      `${((extra.rssPerSessionBytes ?? 0) / 1024).toFixed(1)} KiB/session, ` +
        `${extra.alive}/${extra.connected} held`,
    )
  }
  if (record.scenario === 'open') notes.push(`offered ${extra.offered}`)
  if (record.scenario === 'storm') {
    notes.push(
      `calm p99 ${extra.calmP99Ms} ms, ${extra.arrived} arrived, ` +
        `${extra.healthFailures} health failures`,
    )
  }
  return notes.join('; ')
}

/** The per-run table: throughput, CPU and latency. */
export function runTable(records: readonly RunRecord[]): string {
  const header = [
    'run',
    'msg/s',
    'msg/srv-CPU-s',
    'srv CPU',
    'gen CPU',
    'other CPU',
    'p50 ms',
    'p99 ms',
    'p99.9 ms',
    'max ms',
    'note',
  ]
  const rows = records.map((r) => [
    r.id,
    r.scenario === 'idle' ? '-' : thousands(r.perSecond),
    thousands(r.perServerCpuSecond),
    r.serverCores.toFixed(2),
    r.generatorCores.toFixed(2),
    r.otherCores.toFixed(2),
    r.latency.p50Ms.toFixed(2),
    r.latency.p99Ms.toFixed(2),
    r.latency.p999Ms.toFixed(2),
    r.latency.maxMs.toFixed(1),
    note(r),
  ])
  return pad([header, ...rows])
}

/** The ratios (ours over theirs, per server CPU-second). */
export function ratioTable(ratios: Record<string, Ratio>): string {
  const rows = Object.entries(ratios).map(([name, ratio]) => [
    name,
    ratio.value === null ? `n/a (${ratio.excluded})` : ratio.value.toFixed(2),
  ])
  return pad([['ratio', 'value'], ...rows])
}

/** The targets with met / missed. */
export function targetTable(checks: readonly TargetCheck[]): string {
  const rows = checks.map((check) => [
    check.name,
    check.goal,
    check.met === null ? '-' : check.met ? 'met' : 'MISSED',
    check.measured,
  ])
  return pad([['target', 'goal', 'result', 'measured'], ...rows])
}
