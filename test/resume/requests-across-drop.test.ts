import { afterEach, describe, expect, it } from 'vitest'
import { PortcullisClient } from '../../src/client/index.js'
import type { Gateway } from '../../src/gateway/gateway.js'
import { FaultProxy } from './fault-proxy.js'
import { deferred, startGateway, until } from './helpers.js'

let gateway: Gateway | undefined
let proxy: FaultProxy | undefined
let client: PortcullisClient | undefined

afterEach(async () => {
  client?.destroy()
  await proxy?.close()
  await gateway?.close()
  client = proxy = gateway = undefined
})

/** A gateway whose `slow` handler counts runs and waits to be released. */
async function setUp() {
  const started = await startGateway()
  gateway = started.gateway
  const state = { runs: 0, release: deferred<string>() }
  gateway.route('slow', () => {
    state.runs += 1
    return state.release.promise
  })
  gateway.route('echo', (context) => context.payload)
  proxy = new FaultProxy({
    host: '127.0.0.1',
    port: Number(new URL(started.tcpUrl).port),
  })
  const port = await proxy.listen()
  client = new PortcullisClient(`tcp://127.0.0.1:${port}`, {
    reconnect: { initialDelayMs: 5, maxDelayMs: 20 },
  })
  await client.connect()
  return { state, client, proxy }
}

function resumedOnce(client: PortcullisClient): Promise<boolean> {
  return new Promise((resolve) =>
    client.once('open', (info) => resolve(info.resumed)),
  )
}

describe('requests across a dropped connection', () => {
  it('runs a request once when it finishes while the session is detached', async () => {
    const { state, client, proxy } = await setUp()
    const answer = client.request('slow')
    await until(() => state.runs === 1, 'handler started')

    const resumed = resumedOnce(client)
    proxy.dropAll()
    await until(() => client.state === 'reconnecting', 'client noticed')
    state.release.resolve('done')

    expect(await resumed).toBe(true)
    expect(await answer).toBe('done')
    expect(state.runs).toBe(1)
  })

  it('runs a request once when it is re-sent while still running', async () => {
    const { state, client, proxy } = await setUp()
    const answer = client.request('slow')
    await until(() => state.runs === 1, 'handler started')

    const resumed = resumedOnce(client)
    proxy.dropAll()
    expect(await resumed).toBe(true)
    // Frames are handled in order: once echo answers, the re-sent request
    // reached the server while its first run was still going.
    expect(await client.request('echo', 7)).toBe(7)
    state.release.resolve('late')

    expect(await answer).toBe('late')
    expect(state.runs).toBe(1)
  })

  it('sends requests made while offline once a session is open again', async () => {
    const { client, proxy } = await setUp()
    proxy.refusing = true
    proxy.dropAll()
    await until(() => client.state === 'reconnecting', 'client noticed')
    const answers = [client.request('echo', 1), client.request('echo', 2)]
    expect(client.notify('echo', 3)).toBe(true)
    expect(client.queuedMessages).toBe(3)
    proxy.refusing = false

    expect(await Promise.all(answers)).toEqual([1, 2])
    expect(client.queuedMessages).toBe(0)
  })
})
