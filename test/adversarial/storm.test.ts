import { readFileSync } from 'node:fs'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { RawClient, sleep } from './helpers.js'
import {
  buildDist,
  httpStatus,
  type ServerProcess,
  spawnServer,
} from './server-process.js'

const STORM_CONNECTIONS = 10_000
const SOURCE_ADDRESSES = 10
const OPEN_SESSIONS = 20

/** Resident set size of process `pid`, in bytes (Linux). */
function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const match = /VmRSS:\s+(\d+) kB/.exec(status)
  return Number(match?.[1] ?? 0) * 1024
}

/** Opens one storm connection: HELLO, WELCOME (or a refusal), kept open. */
async function stormConnection(
  port: number,
  localAddress: string,
): Promise<RawClient | undefined> {
  try {
    const client = await RawClient.connect(port, localAddress)
    client.send([1, 1, {}])
    await client.next((m) => m[0] === 2 || m[0] === 10, 20_000)
    return client
  } catch {
    return undefined
  }
}

// Needs `ulimit -n` of 20,000 or more: the test and the gateway each hold
// one descriptor per storm connection (npm test raises it).
describe('a connection storm', () => {
  let server: ServerProcess | undefined

  beforeAll(buildDist, 120_000)

  afterEach(() => {
    server?.child.kill('SIGKILL')
    server = undefined
  })

  it('keeps health checks and open sessions while 10,000 connect', async () => {
    server = await spawnServer(
      {
        heartbeatIntervalMs: 1_000,
        idleTimeoutMs: 10_000,
        resumeWindowMs: 500,
      },
      ['--expose-gc'],
    )
    const { tcpPort, opsPort } = server
    const players: RawClient[] = []
    for (let n = 0; n < OPEN_SESSIONS; n += 1) {
      const player = await RawClient.connect(tcpPort)
      await player.hello()
      players.push(player)
    }
    const warm = await Promise.all(
      Array.from({ length: 500 }, (_, n) =>
        stormConnection(tcpPort, `127.0.0.${2 + (n % SOURCE_ADDRESSES)}`),
      ),
    )
    for (const client of warm) client?.destroy()
    const probe = players[0]!
    await sleep(200)
    let id = 1
    const memory = async () => {
      id += 1
      const response = await probe.request(id, 'memory')
      return response[2] as Record<string, number>
    }
    await waitForAsync(async () => (await memory()).sessions === OPEN_SESSIONS)
    const rssBefore = rssBytes(server.child.pid!)
    const liveBefore = liveBytes(await memory())

    let healthFailures = 0
    let healthChecks = 0
    let storming = true
    const health = (async () => {
      while (storming) {
        const status = await httpStatus(opsPort, '/healthz').catch(() => 0)
        healthChecks += 1
        if (status !== 200) healthFailures += 1
        await sleep(20)
      }
    })()
    const pings = (async () => {
      let seq = 0
      while (storming) {
        for (const player of players) player.send([3, Date.now(), 0])
        seq += 1
        await sleep(100)
      }
      return seq
    })()

    const stormStartedAt = Date.now()
    const storm = await Promise.all(
      Array.from({ length: STORM_CONNECTIONS }, (_, n) =>
        stormConnection(tcpPort, `127.0.0.${2 + (n % SOURCE_ADDRESSES)}`),
      ),
    )
    const stormMs = Date.now() - stormStartedAt
    const welcomed = storm.filter((c) => c?.received[0]?.[0] === 2).length
    const peakRss = rssBytes(server.child.pid!)
    for (const client of storm) client?.destroy()
    storming = false
    await Promise.all([health, pings])

    expect(healthFailures).toBe(0)
    expect(healthChecks).toBeGreaterThan(0)
    for (const player of players) expect(player.isClosed).toBe(false)
    expect((await probe.request(9_999, 'memory')).slice(0, 2)).toEqual([
      6, 9_999,
    ])
    await waitForAsync(async () => (await memory()).sessions === OPEN_SESSIONS)
    await sleep(500)
    const liveAfter = liveBytes(await memory())
    const rssAfter = rssBytes(server.child.pid!)
    console.log(
      `storm: ${welcomed}/${STORM_CONNECTIONS} welcomed in ${stormMs} ms; ` +
        `live memory before ${mib(liveBefore)}, after ${mib(liveAfter)} ` +
        `MiB; rss before ${mib(rssBefore)}, peak ${mib(peakRss)}, ` +
        `after ${mib(rssAfter)} MiB; ${healthChecks} health checks`,
    )
    expect(welcomed).toBe(STORM_CONNECTIONS)
    // What the gateway holds returns to within 20%. V8 keeps the heap pages
    // it grew into and malloc its arenas, so RSS gets a looser bound.
    expect(liveAfter).toBeLessThan(liveBefore * 1.2)
    expect(rssAfter).toBeLessThan(rssBefore * 1.6)
    for (const player of players) player.destroy()
  }, 60_000)
})

/** Heap in use plus buffers: what the process holds after a collection. */
function liveBytes(usage: Record<string, number>): number {
  return usage.heapUsed! + usage.external! + usage.arrayBuffers!
}

function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1)
}

async function waitForAsync(
  check: () => Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out')
    await sleep(50)
  }
}
