import { afterEach, describe, expect, it } from 'vitest'
import { CLIENT_TRANSITIONS } from '../../src/client/client-state.js'
import {
  ClientState,
  PortcullisClient,
  PortcullisErrorCode,
} from '../../src/client/index.js'
import type { Gateway } from '../../src/gateway/gateway.js'
import { startGateway, until } from '../resume/helpers.js'

let gateway: Gateway | undefined
const clients: PortcullisClient[] = []

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy()
  await gateway?.close()
  gateway = undefined
})

async function connected(
  options: ConstructorParameters<typeof PortcullisClient>[1] = {},
) {
  // A drain's 1001 asks clients to wait retryAfterMs; keep it short here.
  const started = await startGateway({ retryAfterMs: 10 })
  gateway = started.gateway
  gateway.route('echo', (context) => context.payload)
  const client = new PortcullisClient(started.tcpUrl, {
    reconnect: { initialDelayMs: 5, maxDelayMs: 10 },
    ...options,
  })
  clients.push(client)
  await client.connect()
  return client
}

describe('PortcullisClient', () => {
  it('throws at once for an unsupported URL scheme or a bad option', () => {
    expect(() => new PortcullisClient('http://localhost')).toThrow(
      expect.objectContaining({ code: PortcullisErrorCode.INVALID_OPTION }),
    )
    expect(
      () => new PortcullisClient('tcp://localhost', { requestTimeoutMs: -1 }),
    ).toThrow(
      expect.objectContaining({ code: PortcullisErrorCode.INVALID_OPTION }),
    )
  })

  it('reports each state change through one table', async () => {
    const started = await startGateway()
    gateway = started.gateway
    const client = new PortcullisClient(started.tcpUrl, {
      reconnect: { initialDelayMs: 5 },
    })
    clients.push(client)
    const seen: string[] = []
    client.on('state', ({ from, to }) => {
      expect(CLIENT_TRANSITIONS[from]).toContain(to)
      seen.push(to)
    })
    await client.connect()
    const resumed = new Promise((resolve) => client.once('open', resolve))
    client.reconnect()
    await resumed
    await client.close()
    expect(seen).toEqual([
      'connecting',
      'open',
      'reconnecting',
      'open',
      'closing',
      'closed',
    ])
    expect(client.closeCode).toBe(1000)
  })

  it('rejects the first connect when nothing listens, and closes', async () => {
    const client = new PortcullisClient('tcp://127.0.0.1:1')
    clients.push(client)
    await expect(client.connect()).rejects.toMatchObject({
      code: PortcullisErrorCode.CONNECT_FAILED,
    })
    expect(client.state).toBe(ClientState.CLOSED)
  })

  it('does not reconnect after 4006 (kicked)', async () => {
    const client = await connected()
    const closed = new Promise((resolve) => client.once('closed', resolve))
    await gateway!.kick(client.sessionId!, 'bye')
    expect(await closed).toMatchObject({ code: 4006 })
  })

  it('reconnects after 1001 no sooner than retryAfterMs', async () => {
    const client = await connected()
    const session = (await gateway!.registry.get(client.sessionId!))!
    const scheduled = new Promise((resolve) =>
      client.once('reconnecting', resolve),
    )
    session.close(1001, 'going away', { retryAfterMs: 50 })
    expect(await scheduled).toMatchObject({ code: 1001, attempt: 1 })
    const info = (await scheduled) as { delayMs: number }
    expect(info.delayMs).toBeGreaterThanOrEqual(50)
    await until(() => client.state === 'open', 'reconnected')
  })

  it('rejects requests and refuses notifies once the offline queue is full', async () => {
    const client = await connected({ maxQueuedMessages: 2 })
    const refused = new Promise((resolve) =>
      client.once('reconnecting', resolve),
    )
    await gateway!.close()
    gateway = undefined
    await refused
    const queued = client.request('echo', 1, { timeoutMs: 5_000 })
    queued.catch(() => {})
    expect(client.notify('echo', 2)).toBe(true)
    expect(client.notify('echo', 3)).toBe(false)
    await expect(client.request('echo', 4)).rejects.toMatchObject({
      code: PortcullisErrorCode.QUEUE_FULL,
    })
  })

  it('gives up after maxAttempts failed reconnects', async () => {
    const client = await connected({
      reconnect: { initialDelayMs: 1, maxDelayMs: 2, maxAttempts: 3 },
    })
    const closed = new Promise((resolve) => client.once('closed', resolve))
    await gateway!.close()
    gateway = undefined
    expect(await closed).toMatchObject({ code: 1006 })
  })
})
