import { afterEach, describe, expect, it } from 'vitest'
import { PortcullisClient } from '../../src/client/index.js'
import type { Gateway } from '../../src/gateway/gateway.js'
import type { GatewayOptions } from '../../src/gateway/options.js'
import {
  type RawClient as Raw,
  RawClient,
  startGateway,
  until,
} from './helpers.js'

let gateway: Gateway | undefined
const raws: Raw[] = []
const clients: PortcullisClient[] = []

afterEach(async () => {
  for (const raw of raws.splice(0)) raw.destroy()
  for (const client of clients.splice(0)) client.destroy()
  await gateway?.close()
  gateway = undefined
})

async function raw(): Promise<RawClient> {
  const client = await RawClient.connect(gateway!.addresses.tcp!.port)
  raws.push(client)
  return client
}

async function metric(name: string): Promise<string> {
  return gateway!.metrics.registry.getSingleMetricAsString(name)
}

/** Logs in as `uid`; resolves with the client, or rejects when refused. */
async function login(uid: string): Promise<PortcullisClient> {
  const client = new PortcullisClient(
    `tcp://127.0.0.1:${gateway!.addresses.tcp!.port}`,
    {
      credentials: { uid },
      reconnect: false,
    },
  )
  clients.push(client)
  await client.connect()
  return client
}

async function gatewayWithUsers(options: GatewayOptions = {}, authDelayMs = 0) {
  const started = await startGateway(options, {
    auth: async (request) => {
      if (authDelayMs > 0) {
        await new Promise((resolve) => setTimeout(resolve, authDelayMs))
      }
      return { uid: (request.credentials as { uid: string }).uid }
    },
  })
  gateway = started.gateway
}

describe('takeover', () => {
  it('closes the old connection with 4002 when the token holder comes back on a new one', async () => {
    await gatewayWithUsers()
    const first = await raw()
    first.hello(undefined, { uid: 'ann' })
    const welcome = await first.next(2)
    const second = await raw()
    second.hello({
      sessionId: welcome.sessionId,
      token: welcome.resumeToken,
      lastSeq: 0,
    })

    const resumed = await second.next(2)
    expect(resumed.resume).toEqual({ resumed: true, replayed: 0 })
    expect((await first.next(10)).code).toBe(4002)
    await until(() => first.closed, 'old connection ended')
    const session = await gateway!.registry.get(welcome.sessionId)
    expect(session?.state).toBe('open')
    expect(await metric('portcullis_takeovers_total')).toMatch(/ 1$/m)
  })

  it('lets exactly one of two racing resumes hold the session', async () => {
    await gatewayWithUsers()
    const owner = await raw()
    owner.hello(undefined, { uid: 'bob' })
    const welcome = await owner.next(2)
    owner.destroy()
    const session = (await gateway!.registry.get(welcome.sessionId))!
    await until(() => session.state === 'detached', 'detached')
    session.push('n', 1)

    const ticket = {
      sessionId: welcome.sessionId,
      token: welcome.resumeToken,
      lastSeq: 0,
    }
    const racers = [await raw(), await raw()]
    for (const racer of racers) racer.hello(ticket)
    await until(
      () => racers.filter((racer) => racer.closed).length === 1,
      'one racer closed',
    )

    const winner = racers.find((racer) => !racer.closed)!
    const loser = racers.find((racer) => racer.closed)!
    expect(loser.received.at(-1)).toMatchObject({ kind: 10, code: 4002 })
    expect((await winner.next(2)).resume).toEqual({
      resumed: true,
      replayed: 1,
    })
    expect(await winner.next(8)).toMatchObject({ seq: 1, payload: 1 })
    const held = (await gateway!.registry.get(welcome.sessionId))!
    expect(held).toBe(session)
    expect(held.state).toBe('open')
    expect(gateway!.liveSessions).toBe(1)
    const states = gateway!.metrics.sessionsByState
    expect([
      states.open,
      states.detached,
      states.handshaking,
      states.authenticating,
    ]).toEqual([1, 0, 0, 0])
    expect(await metric('portcullis_resumes_total')).toMatch(
      /outcome="resumed"} 2$/m,
    )
  })
})

describe('duplicate login', () => {
  it('closes the older session with 4002 under kick-old', async () => {
    await gatewayWithUsers({ duplicateLogin: 'kick-old' })
    const older = await login('cat')
    const closed = new Promise((resolve) => older.once('closed', resolve))
    const newer = await login('cat')

    expect(await closed).toMatchObject({ code: 4002 })
    expect(newer.state).toBe('open')
    expect((await gateway!.registry.byUid('cat'))?.id).toBe(newer.sessionId)
  })

  it('refuses the newer login with 4009 under reject-new', async () => {
    await gatewayWithUsers({ duplicateLogin: 'reject-new' })
    const older = await login('dan')
    await expect(login('dan')).rejects.toThrow(/4009/)
    expect(clients.at(-1)?.closeCode).toBe(4009)
    expect(older.state).toBe('open')
  })

  it('lets a fresh login replace a detached session under reject-new', async () => {
    await gatewayWithUsers({ duplicateLogin: 'reject-new' })
    const older = await login('eve')
    const session = (await gateway!.registry.get(older.sessionId!))!
    older.destroy()
    await until(() => session.state === 'detached', 'detached')

    const newer = await login('eve')
    expect(newer.state).toBe('open')
    expect(session.state).toBe('closed')
  })

  it('keeps one session when two logins of a user overlap', async () => {
    await gatewayWithUsers({ duplicateLogin: 'kick-old' }, 20)
    const results = await Promise.allSettled([login('fay'), login('fay')])
    await until(() => gateway!.metrics.sessionsByState.closing === 0, 'settled')

    expect(gateway!.metrics.sessionsByState.open).toBe(1)
    const open = results.filter(
      (result) =>
        result.status === 'fulfilled' && result.value.state === 'open',
    )
    expect(open).toHaveLength(1)
  })
})
