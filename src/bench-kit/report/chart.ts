import { decodeHistogram } from '../histogram.js'
import type { RunRecord } from '../runner.js'

/** One line of a panel: a name and a latency histogram (µs). */
interface Series {
  readonly name: string
  readonly histogram: string
}

const PANEL_WIDTH = 460
const PANEL_HEIGHT = 300
const MARGIN = { left: 56, right: 16, top: 36, bottom: 40 }
const DECADES = 4
const POINTS = 120
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd']

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;')
}

/** Latency (ms) at percentile points spread evenly over 0..99.99 (log). */
function curve(text: string): Array<[number, number]> {
  const histogram = decodeHistogram(text)
  const points: Array<[number, number]> = []
  for (let i = 0; i <= POINTS; i += 1) {
    const decade = (i / POINTS) * DECADES
    const percentile = 100 * (1 - 10 ** -decade)
    points.push([decade, histogram.getValueAtPercentile(percentile) / 1000])
  }
  return points
}

function panel(title: string, series: readonly Series[], x0: number): string {
  const curves = series.map((s) => curve(s.histogram))
  const top = Math.max(0.01, ...curves.flat().map(([, ms]) => ms))
  const plotWidth = PANEL_WIDTH - MARGIN.left - MARGIN.right
  const plotHeight = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom
  const sx = (decade: number) =>
    x0 + MARGIN.left + (decade / DECADES) * plotWidth
  const sy = (ms: number) => MARGIN.top + plotHeight * (1 - ms / top)
  const parts: string[] = [
    `<text x="${x0 + PANEL_WIDTH / 2}" y="20" text-anchor="middle" ` +
      `font-weight="bold">${escapeXml(title)}</text>`,
    `<rect x="${sx(0)}" y="${MARGIN.top}" width="${plotWidth}" ` +
      `height="${plotHeight}" fill="none" stroke="#999"/>`,
  ]
  const labels = ['0', '90', '99', '99.9', '99.99']
  labels.forEach((label, decade) => {
    const x = sx(decade)
    parts.push(
      `<line x1="${x}" y1="${MARGIN.top}" x2="${x}" ` +
        `y2="${MARGIN.top + plotHeight}" stroke="#eee"/>`,
      `<text x="${x}" y="${MARGIN.top + plotHeight + 16}" ` +
        `text-anchor="middle">${label}</text>`,
    )
  })
  for (let i = 0; i <= 4; i += 1) {
    const ms = (top * i) / 4
    parts.push(
      `<text x="${sx(0) - 6}" y="${sy(ms) + 4}" text-anchor="end">` +
        `${ms.toFixed(ms < 10 ? 1 : 0)}</text>`,
    )
  }
  parts.push(
    `<text x="${x0 + 14}" y="${MARGIN.top + plotHeight / 2}" ` +
      'transform-origin="center" text-anchor="middle" ' +
      `transform="rotate(-90 ${x0 + 14} ${MARGIN.top + plotHeight / 2})">` +
      'latency ms</text>',
    `<text x="${sx(DECADES / 2)}" y="${PANEL_HEIGHT - 6}" ` +
      'text-anchor="middle">percentile</text>',
  )
  curves.forEach((points, index) => {
    const color = COLORS[index % COLORS.length]
    const path = points
      .map(([d, ms]) => `${sx(d).toFixed(1)},${sy(ms).toFixed(1)}`)
      .join(' ')
    parts.push(
      `<polyline fill="none" stroke="${color}" stroke-width="2" ` +
        `points="${path}"/>`,
      `<text x="${sx(0) + 8}" y="${MARGIN.top + 16 + index * 15}" ` +
        `fill="${color}">${escapeXml(series[index]?.name ?? '')}</text>`,
    )
  })
  return parts.join('\n')
}

/**
 * An SVG of latency distributions side by side: one panel per compared
 * group (echo, pipelined echo, open loop, storm phases), one line per
 * server, latency against percentile on a log scale.
 */
export function latencyChart(records: readonly RunRecord[], title: string) {
  const panels: Array<[string, Series[]]> = []
  const groups = [...new Set(records.map((r) => r.group))].filter((g) =>
    /^(echo-|open-half|broadcast)/.test(g),
  )
  for (const group of groups) {
    const series = records
      .filter((r) => r.group === group && r.latency.count > 0)
      .map((r) => ({ name: r.target, histogram: r.histogram }))
    if (series.length > 0) panels.push([group, series])
  }
  const storm = records.find((r) => r.group === 'storm')
  if (storm !== undefined) {
    panels.push([
      'storm: players',
      Object.entries(storm.histograms).map(([name, histogram]) => ({
        name,
        histogram,
      })),
    ])
  }
  const columns = Math.min(3, Math.max(1, panels.length))
  const rows = Math.ceil(panels.length / columns)
  const width = columns * PANEL_WIDTH
  const height = rows * PANEL_HEIGHT + 30
  const body = panels.map(([name, series], index) => {
    const x = (index % columns) * PANEL_WIDTH
    const y = 30 + Math.floor(index / columns) * PANEL_HEIGHT
    return `<g transform="translate(0 ${y})">${panel(name, series, x)}</g>`
  })
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" ` +
      `height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="18" font-size="13">${escapeXml(title)}</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n')
}
