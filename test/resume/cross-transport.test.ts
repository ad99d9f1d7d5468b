import { afterEach, describe, expect, it } from 'vitest'
import { PortcullisClient } from '../../src/client/index.js'
import type { Gateway } from '../../src/gateway/gateway.js'
import { startGateway, until } from './helpers.js'

let gateway: Gateway | undefined
let client: PortcullisClient | undefined

afterEach(async () => {
  client?.destroy()
  await gateway?.close()
  client = gateway = undefined
})

async function dropAndResumeAcross(first: 'tcp' | 'ws', second: 'tcp' | 'ws') {
  const started = await startGateway()
  gateway = started.gateway
  const urls = { tcp: started.tcpUrl, ws: started.wsUrl }
  client = new PortcullisClient([urls[first], urls[second]], {
    reconnect: { initialDelayMs: 5, maxDelayMs: 20 },
  })
  const received: number[] = []
  client.on('push', (push) => received.push(push.payload as number))
  await client.connect()
  const session = (await gateway.registry.get(client.sessionId!))!
  expect(session.transport?.name).toBe(first)

  for (let n = 1; n <= 100; n += 1) session.push('n', n)
  await until(() => received.length === 100, 'first pushes')
  const resumed = new Promise((resolve) => client!.once('open', resolve))
  client.reconnect()
  // Pushed while the old connection dies: kept, then replayed.
  for (let n = 101; n <= 200; n += 1) session.push('n', n)
  expect(await resumed).toMatchObject({ resumed: true })
  for (let n = 201; n <= 300; n += 1) session.push('n', n)

  await until(() => received.length === 300, 'every push')
  expect(received).toEqual(Array.from({ length: 300 }, (_, i) => i + 1))
  expect(session.transport?.name).toBe(second)
  expect(client.sessionId).toBe(session.id)
}

describe('resume across transports', () => {
  it('resumes on WebSocket a session that dropped on TCP', async () => {
    await dropAndResumeAcross('tcp', 'ws')
  })

  it('resumes on TCP a session that dropped on WebSocket', async () => {
    await dropAndResumeAcross('ws', 'tcp')
  })

  it('replays in JSON pushes kept as MessagePack when the serializer changes', async () => {
    const started = await startGateway()
    gateway = started.gateway
    client = new PortcullisClient(started.tcpUrl)
    await client.connect()
    const session = (await gateway.registry.get(client.sessionId!))!
    const ticket = {
      sessionId: session.id,
      token: session.resumeToken,
      lastSeq: 0,
    }
    client.destroy()
    await until(() => session.state === 'detached', 'detached')
    session.push('n', { bytes: 1 })

    const { WebSocket } = await import('ws')
    const socket = new WebSocket(started.wsUrl)
    const texts: unknown[] = []
    socket.on('message', (data) => texts.push(JSON.parse(String(data))))
    await new Promise((resolve) => socket.once('open', resolve))
    socket.send(JSON.stringify([1, 1, { resume: ticket }]))
    await until(() => texts.length === 2, 'welcome and replay')
    socket.close()
    expect((texts[0] as unknown[]).slice(0, 3)).toEqual([2, 1, session.id])
    expect((texts[0] as unknown[])[4]).toEqual({ resumed: true, replayed: 1 })
    expect(texts[1]).toEqual([8, 1, 'n', { bytes: 1 }])
  })
})
