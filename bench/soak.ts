/**
 * Soak test: churns rounds of connections against a real `portcullis serve`
 * process for a while and checks that its memory and open file descriptors
 * plateau: the values at the end must be within 10% of those after the
 * warm-up. RSS saws up and down with garbage collection, so "after the
 * warm-up" is the highest sample of the warm-up rounds (the first 20% of
 * the time, three rounds at least) and "the end" the median of the last
 * three samples.
 *
 *   npm run soak                                  (10,000 x 10 minutes)
 *   npm run soak -- --duration-ms 60000 --connections 2000
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { connect } from 'node:net'
import { cpus } from 'node:os'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { decode, encode } from 'msgpackr'
import { encodeFrame, FrameDecoder } from '../src/codec/index.js'

const PLATEAU_TOLERANCE = 0.1

interface Sample {
  round: number
  rssBytes: number
  openFds: number
}

const { values } = parseArgs({
  options: {
    'duration-ms': { type: 'string', default: '600000' },
    connections: { type: 'string', default: '10000' },
    addresses: { type: 'string', default: '10' },
  },
})
const durationMs = Number(values['duration-ms'])
const connections = Number(values.connections)
const addresses = Number(values.addresses)

/** Starts `portcullis serve` on free ports; resolves with its TCP port. */
async function startServer(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    [
      'dist/cli/main.js',
      'serve',
      ...['--host', '127.0.0.1', '--tcp-port', '0', '--ws-port', 'off'],
      ...['--line-port', 'off', '--ops-port', 'off', '--log-level', 'info'],
      ...['--max-connections', String(connections * 2)],
    ],
    { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] },
  )
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', () => reject(new Error('portcullis serve exited')))
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const entry = JSON.parse(line) as {
        msg?: string
        addresses?: { tcp?: { port: number } }
      }
      const tcp = entry.addresses?.tcp
      if (entry.msg === 'gateway listening' && tcp) resolve(tcp.port)
    })
  })
  return { child, port }
}

/** One player: HELLO, WELCOME, PING, PONG, CLOSE 1000, gone. */
function visit(port: number, localAddress: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress })
    const decoder = new FrameDecoder(1024 * 1024)
    let ok = false
    socket.on('data', (chunk: Buffer) => {
      decoder.push(chunk, (body) => {
        const kind = (decode(body) as unknown[])[0]
        if (kind === 2) socket.write(encodeFrame(encode([3, Date.now(), 0])))
        if (kind === 4) {
          ok = true
          socket.write(encodeFrame(encode([10, 1000, 'soak done'])))
        }
      })
    })
    socket.on('error', () => {})
    socket.on('close', () => resolve(ok))
    socket.setTimeout(30_000, () => socket.destroy())
    socket.write(encodeFrame(encode([1, 1, { client: 'soak' }])))
  })
}

async function round(port: number): Promise<number> {
  const visits = []
  for (let n = 0; n < connections; n += 1) {
    visits.push(visit(port, `127.0.0.${1 + (n % addresses)}`))
  }
  const results = await Promise.all(visits)
  return results.filter(Boolean).length
}

function sample(pid: number, roundNumber: number): Sample {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const rssKib = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0)
  const openFds = readdirSync(`/proc/${pid}/fd`).length
  return { round: roundNumber, rssBytes: rssKib * 1024, openFds }
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? 0
}

function within(end: number, start: number): boolean {
  return end <= start * (1 + PLATEAU_TOLERANCE)
}

async function main(): Promise<number> {
  console.log(
    `soak: ${connections} connections per round over ${addresses} ` +
      `source addresses for ${durationMs} ms; node ${process.version}, ` +
      `${cpus()[0]?.model ?? 'unknown cpu'} x${cpus().length}`,
  )
  const { child, port } = await startServer()
  const pid = child.pid!
  const startedAt = Date.now()
  let roundNumber = 0
  const warmUpMs = durationMs * 0.2
  let warm: Sample | undefined
  const samples: Sample[] = []
  let failed = 0
  while (roundNumber === 0 || Date.now() - startedAt < durationMs) {
    roundNumber += 1
    const ok = await round(port)
    failed += connections - ok
    await new Promise((resolve) => setTimeout(resolve, 500))
    const last = sample(pid, roundNumber)
    samples.push(last)
    if (roundNumber <= 3 || Date.now() - startedAt < warmUpMs) {
      warm = {
        round: roundNumber,
        rssBytes: Math.max(warm?.rssBytes ?? 0, last.rssBytes),
        openFds: Math.max(warm?.openFds ?? 0, last.openFds),
      }
    }
    console.log(
      `round ${roundNumber}: ${ok}/${connections} ok, ` +
        `rss ${mib(last.rssBytes)}, open fds ${last.openFds}`,
    )
  }
  child.kill('SIGTERM')
  const tail = samples.slice(-3)
  const last: Sample = {
    round: roundNumber,
    rssBytes: median(tail.map((entry) => entry.rssBytes)),
    openFds: median(tail.map((entry) => entry.openFds)),
  }

  const rssOk = within(last.rssBytes, warm!.rssBytes)
  const fdsOk = within(last.openFds, warm!.openFds)
  console.log(
    `after warm-up (${warm!.round} rounds): rss ${mib(warm!.rssBytes)}, fds ${warm!.openFds}; ` +
      `end: rss ${mib(last.rssBytes)}, fds ${last.openFds}; ` +
      `${roundNumber} rounds, ${failed} failed visits; ` +
      `plateau ${rssOk && fdsOk ? 'ok' : 'FAILED'}`,
  )
  return rssOk && fdsOk && failed === 0 ? 0 : 1
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error)
    process.exit(1)
  },
)
