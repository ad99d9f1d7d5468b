import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { MsgpackSerializer } from '../../src/codec/index.js'
import type { Gateway } from '../../src/gateway/gateway.js'
import type { Session } from '../../src/session/index.js'
import { portOf, startGateway } from '../helpers/gateway.js'

const msgpack = new MsgpackSerializer()

async function openSession(gateway: Gateway): Promise<[WebSocket, Session]> {
  const opened = new Promise<Session>((resolve) =>
    gateway.once('session', (session) => resolve(session)),
  )
  const ws = new WebSocket(`ws://127.0.0.1:${portOf(gateway, 'ws')}/`)
  await new Promise((resolve) => ws.once('open', resolve))
  ws.send(msgpack.encode([1, 1, {}]))
  return [ws, await opened]
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 5))
}

describe('WebSocket connections', () => {
  let gateway: Gateway

  afterEach(async () => {
    await gateway.close()
  })

  it('ends the session when the client sends a close frame with 1000', async () => {
    gateway = await startGateway()
    const [ws, session] = await openSession(gateway)
    ws.close(1000, 'bye')
    await until(() => session.state === 'closed')
    expect(session.closeInfo?.code).toBe(1000)
  })

  it('keeps the session resumable when the connection just drops', async () => {
    gateway = await startGateway()
    const [ws, session] = await openSession(gateway)
    ws.terminate()
    await until(() => session.state !== 'open')
    expect(session.state).toBe('detached')
  })

  it('keeps the session resumable after a close frame with 1001', async () => {
    gateway = await startGateway()
    const [ws, session] = await openSession(gateway)
    ws.close(1001, 'page closed')
    await until(() => session.state !== 'open')
    expect(session.state).toBe('detached')
  })
})
