import { afterEach, describe, expect, it } from 'vitest'
import type { Session } from '../../src/session/index.js'
import {
  heldBytes,
  metricValue,
  RawClient,
  type Started,
  startGateway,
  waitFor,
} from './helpers.js'

const MIB = 1024 * 1024

describe('peers that stop reading or vanish', () => {
  let started: Started | undefined
  const clients: RawClient[] = []

  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy()
    await started?.gateway.close()
    started = undefined
  })

  it('closes a reader that stops reading with 4004 and bounded memory', async () => {
    started = await startGateway({ maxOutboundBytes: MIB })
    const { gateway } = started
    const closed: Session[] = []
    gateway.on('sessionClosed', (session) => closed.push(session))
    const blob = Buffer.alloc(8 * 1024, 7)
    let peakHeldBytes = 0
    gateway.route('flood', (context) => {
      const session = context.session
      const pump = () => {
        if (!session.isOpen) return
        for (let i = 0; i < 16; i += 1) session.push('blob', blob)
        peakHeldBytes = Math.max(peakHeldBytes, heldBytes())
        setImmediate(pump)
      }
      pump()
    })
    gateway.route('echo', (context) => context.payload)

    const other = await RawClient.connect(started.addresses.tcp.port)
    const slow = await RawClient.connect(started.addresses.tcp.port)
    clients.push(other, slow)
    await other.hello()
    await slow.hello()
    const baseline = heldBytes()
    slow.socket.pause()
    slow.send([7, 'flood', null])

    const latenciesMs: number[] = []
    let id = 0
    while (closed.length === 0) {
      id += 1
      const startedAt = performance.now()
      await other.request(id, 'echo', id)
      latenciesMs.push(performance.now() - startedAt)
    }

    expect(closed[0]?.closeInfo?.code).toBe(4004)
    expect(
      await metricValue(gateway, 'portcullis_closes_total', { code: 4004 }),
    ).toBe(1)
    expect(peakHeldBytes - baseline).toBeLessThan(MIB + 4 * MIB)
    expect(Math.max(...latenciesMs)).toBeLessThan(250)
    expect(await other.request(id + 1, 'echo', 'still here')).toEqual([
      6,
      id + 1,
      'still here',
    ])
    slow.socket.resume()
    await slow.waitClosed()
  })

  it('closes a silent peer with 4003 at the idle deadline', async () => {
    started = await startGateway({
      heartbeatIntervalMs: 100,
      idleTimeoutMs: 300,
      closeGraceMs: 200,
    })
    const { gateway } = started
    const closed: Session[] = []
    gateway.on('sessionClosed', (session) => closed.push(session))
    const client = await RawClient.connect(started.addresses.tcp.port)
    clients.push(client)
    await client.hello()
    const silentSince = Date.now()
    client.socket.pause()

    await waitFor(() => closed.length === 1, 3_000, 'idle close')
    const elapsedMs = Date.now() - silentSince
    expect(closed[0]?.closeInfo?.code).toBe(4003)
    expect(elapsedMs).toBeGreaterThanOrEqual(290)
    expect(elapsedMs).toBeLessThan(1_000)
    await waitFor(() => gateway.liveSessions === 0, 3_000, 'socket dropped')
    client.socket.resume()
    await client.waitClosed()
    expect(client.closeCode).toBe(4003)
  })
})
