import { afterEach, describe, expect, it } from 'vitest'
import {
  PortcullisClient,
  type ResumeRefusedInfo,
  SessionLostError,
} from '../../src/client/index.js'
import type { GatewayOptions } from '../../src/gateway/options.js'
import { FaultProxy } from './fault-proxy.js'
import { deferred, startGateway, until } from './helpers.js'

const opened: Array<{ close(): Promise<void> }> = []
let client: PortcullisClient | undefined

afterEach(async () => {
  client?.destroy()
  client = undefined
  for (const item of opened.splice(0).reverse()) await item.close()
})

async function gatewayBehindProxy(options: GatewayOptions = {}) {
  const { gateway } = await startGateway(options)
  opened.push(gateway)
  gateway.route('echo', (context) => context.payload)
  gateway.route('never', () => new Promise(() => {}))
  const proxy = new FaultProxy({
    host: '127.0.0.1',
    port: gateway.addresses.tcp!.port,
  })
  opened.push(proxy)
  const port = await proxy.listen()
  client = new PortcullisClient(`tcp://127.0.0.1:${port}`, {
    reconnect: { initialDelayMs: 5, maxDelayMs: 20 },
  })
  await client.connect()
  return { gateway, proxy, client }
}

function refusal(client: PortcullisClient): Promise<ResumeRefusedInfo> {
  const { promise, resolve } = deferred<ResumeRefusedInfo>()
  client.once('resumeRefused', resolve)
  return promise
}

/** Checks the client goes on with a working fresh session. */
async function expectFreshSession(
  client: PortcullisClient,
  info: ResumeRefusedInfo,
  oldSessionId: string,
) {
  expect(info.previousSessionId).toBe(oldSessionId)
  expect(info.sessionId).not.toBe(oldSessionId)
  expect(client.sessionId).toBe(info.sessionId)
  expect(client.state).toBe('open')
  expect(await client.request('echo', 'still here')).toBe('still here')
}

describe('refused resumes', () => {
  it('refuses with window_over once the resume window ended', async () => {
    const { gateway, proxy, client } = await gatewayBehindProxy({
      resumeWindowMs: 100,
    })
    const oldId = client.sessionId!
    const refused = refusal(client)
    proxy.refusing = true
    proxy.dropAll()
    await until(() => gateway.liveSessions === 0, 'session expired')
    proxy.refusing = false

    const info = await refused
    expect(info.reason).toBe('window_over')
    await expectFreshSession(client, info, oldId)
  })

  it('refuses with bad_token and fails the requests sent on the old session', async () => {
    const { gateway, proxy, client } = await gatewayBehindProxy()
    const oldId = client.sessionId!
    const session = await gateway.registry.get(oldId)
    session!.resumeToken = 'not-the-token-the-client-holds'
    const lost = client.request('never')
    const refused = refusal(client)
    proxy.dropAll()

    const info = await refused
    expect(info.reason).toBe('bad_token')
    await expect(lost).rejects.toBeInstanceOf(SessionLostError)
    await expectFreshSession(client, info, oldId)
  })

  it('refuses with buffer_overflowed after unacknowledged pushes passed the cap', async () => {
    const { gateway, proxy, client } = await gatewayBehindProxy({
      maxReplayPushes: 10,
    })
    const oldId = client.sessionId!
    const session = await gateway.registry.get(oldId)
    for (let n = 1; n <= 20; n += 1) session!.push('n', n)
    expect(session!.resumable).toBe(false)
    const refused = refusal(client)
    proxy.dropAll()

    const info = await refused
    expect(info.reason).toBe('buffer_overflowed')
    await expectFreshSession(client, info, oldId)
    const overflows = await gateway.metrics.registry.getSingleMetricAsString(
      'portcullis_replay_overflows_total',
    )
    expect(overflows).toMatch(/portcullis_replay_overflows_total 1$/m)
  })

  it('refuses with unknown_session on a server that never had it', async () => {
    const { proxy, client } = await gatewayBehindProxy()
    const { gateway: other } = await startGateway()
    opened.push(other)
    other.route('echo', (context) => context.payload)
    const oldId = client.sessionId!
    const refused = refusal(client)
    proxy.target = { host: '127.0.0.1', port: other.addresses.tcp!.port }
    proxy.dropAll()

    const info = await refused
    expect(info.reason).toBe('unknown_session')
    await expectFreshSession(client, info, oldId)
    const counted = await other.metrics.registry.getSingleMetricAsString(
      'portcullis_resumes_total',
    )
    expect(counted).toMatch(/outcome="unknown_session"} 1$/m)
  })
})
