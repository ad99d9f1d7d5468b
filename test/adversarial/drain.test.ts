import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { frame, RawClient, waitFor } from './helpers.js'
import {
  buildDist,
  httpStatus,
  type ServerProcess,
  spawnServer,
} from './server-process.js'

describe('graceful drain on SIGTERM (a real process)', () => {
  let server: ServerProcess | undefined
  const clients: RawClient[] = []

  beforeAll(buildDist, 120_000)

  afterEach(() => {
    for (const client of clients.splice(0)) client.destroy()
    server?.child.kill('SIGKILL')
    server = undefined
  })

  it('answers all 100 requests in flight before CLOSE 1001, then exits', async () => {
    server = await spawnServer({
      drainDelayMs: 300,
      drainTimeoutMs: 5_000,
      retryAfterMs: 2_000,
    })
    for (let n = 0; n < 4; n += 1) {
      const client = await RawClient.connect(server.tcpPort)
      clients.push(client)
      await client.hello()
      const frames = []
      for (let id = 1; id <= 25; id += 1) {
        frames.push(frame([5, id, 'slow', { ms: 800, push: true }]))
      }
      client.write(Buffer.concat(frames))
    }
    await waitFor(() => server!.started() === 100, 5_000, '100 in flight')

    const signalledAt = Date.now()
    server.child.kill('SIGTERM')
    while ((await httpStatus(server.opsPort, '/readyz')) !== 503) {
      expect(Date.now() - signalledAt).toBeLessThan(300)
    }
    expect(await httpStatus(server.opsPort, '/healthz')).toBe(200)

    for (const client of clients) {
      await client.waitClosed(5_000)
      const kinds = client.received.map((message) => message[0])
      const responses = client.received.filter((m) => m[0] === 6)
      expect(responses).toHaveLength(25)
      expect(responses.every((m) => m.length === 3)).toBe(true)
      expect(client.received.filter((m) => m[0] === 8)).toHaveLength(25)
      expect(kinds.at(-1)).toBe(10)
      expect(client.received.at(-1)).toEqual([
        10,
        1001,
        expect.any(String),
        2_000,
      ])
    }
    expect(await server.exited).toBe(0)
    expect(Date.now() - signalledAt).toBeLessThan(5_000)
  })

  it('waits for handlers slower than closeGraceMs within the drain', async () => {
    server = await spawnServer({
      drainDelayMs: 0,
      drainTimeoutMs: 5_000,
      closeGraceMs: 200,
    })
    const client = await RawClient.connect(server.tcpPort)
    clients.push(client)
    await client.hello()
    client.send([5, 1, 'slow', { ms: 700, push: false }])
    await waitFor(() => server!.started() === 1)

    server.child.kill('SIGTERM')
    await client.waitClosed()
    expect(client.received.slice(-2)).toEqual([
      [6, 1, 1],
      [10, 1001, expect.any(String), expect.any(Number)],
    ])
    expect(await server.exited).toBe(0)
  })

  it('exits within drainTimeoutMs when a handler never settles', async () => {
    server = await spawnServer({ drainDelayMs: 100, drainTimeoutMs: 1_000 })
    const client = await RawClient.connect(server.tcpPort)
    clients.push(client)
    await client.hello()
    client.send([5, 1, 'hang', null])
    await waitFor(() => server!.started() === 1)

    const signalledAt = Date.now()
    server.child.kill('SIGTERM')
    expect(await server.exited).toBe(0)
    const tookMs = Date.now() - signalledAt
    expect(tookMs).toBeGreaterThanOrEqual(1_000)
    expect(tookMs).toBeLessThan(2_500)
    await client.waitClosed()
  })
})
