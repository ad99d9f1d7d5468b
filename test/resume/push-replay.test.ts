import { afterEach, describe, expect, it } from 'vitest'
import { PortcullisClient } from '../../src/client/index.js'
import type { Gateway } from '../../src/gateway/gateway.js'
import { FaultProxy } from './fault-proxy.js'
import { startGateway, until } from './helpers.js'
import { seededRandom, testSeed } from './seeded-random.js'

const TOTAL_PUSHES = 10_000
const DROPS = 5
const PUSHES_PER_TURN = 100

let gateway: Gateway | undefined
let proxy: FaultProxy | undefined
let client: PortcullisClient | undefined

afterEach(async () => {
  client?.destroy()
  await proxy?.close()
  await gateway?.close()
  client = undefined
  proxy = undefined
  gateway = undefined
})

describe('resume under dropped connections', () => {
  it('delivers 10,000 pushes exactly once and in order across five mid-frame drops', async () => {
    const seed = testSeed('push replay')
    const random = seededRandom(seed)
    const started = await startGateway({
      resumeWindowMs: 10_000,
      maxReplayPushes: 2 * TOTAL_PUSHES,
      maxReplayBytes: 8 << 20,
      maxOutboundBytes: 16 << 20,
    })
    gateway = started.gateway
    gateway.route('count.start', (context) => {
      const session = context.session
      let next = 1
      const pushSome = () => {
        const last = Math.min(TOTAL_PUSHES, next + PUSHES_PER_TURN - 1)
        for (; next <= last; next += 1) session.push('count', next)
        if (next <= TOTAL_PUSHES) setImmediate(pushSome)
      }
      setImmediate(pushSome)
      return 'started'
    })

    // About 14 bytes a push go down; cut somewhere in the first 100 KB.
    const cutAtBytes = Array.from({ length: DROPS }, () =>
      Math.floor(1_000 + random() * 99_000),
    )
    const port = Number(new URL(started.tcpUrl).port)
    proxy = new FaultProxy(
      { host: '127.0.0.1', port },
      { cutAtBytes, framed: true },
    )
    const proxyPort = await proxy.listen()

    const received: number[] = []
    const outcomes: string[] = []
    client = new PortcullisClient(`tcp://127.0.0.1:${proxyPort}`, {
      reconnect: { initialDelayMs: 20, maxDelayMs: 100, random },
    })
    client.on('push', (push) => received.push(push.payload as number))
    client.on('open', (info) =>
      outcomes.push(info.resumed ? 'resumed' : (info.resumeRefused ?? 'new')),
    )
    await client.connect()
    expect(await client.request('count.start')).toBe('started')

    await until(() => received.length >= TOTAL_PUSHES, 'every push', 30_000)
    console.log(`push replay: cuts ${JSON.stringify(proxy.cuts)}`)
    expect(proxy.cuts).toHaveLength(DROPS)
    expect(proxy.cuts.every((cut) => cut.midFrame)).toBe(true)
    // A cut inside a reconnect's own WELCOME costs one more attempt, so
    // five cuts can mean fewer reopens; every one of them must resume.
    expect(outcomes[0]).toBe('new')
    expect(outcomes.length).toBeGreaterThan(1)
    expect(outcomes.length).toBeLessThanOrEqual(DROPS + 1)
    expect(outcomes.slice(1).every((outcome) => outcome === 'resumed')).toBe(
      true,
    )
    expect(received).toHaveLength(TOTAL_PUSHES)
    expect(received).toEqual(
      Array.from({ length: TOTAL_PUSHES }, (_, index) => index + 1),
    )
    expect(gateway.metrics.sessionsByState.open).toBe(1)
  })
})
