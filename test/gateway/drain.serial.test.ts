import { afterEach, describe, expect, it } from 'vitest'
import type { Gateway } from '../../src/gateway/gateway.js'
import { frame, portOf, RawPeer, startGateway } from '../helpers/gateway.js'

describe('drain and handshake ordering', () => {
  let gateway: Gateway | undefined

  afterEach(async () => {
    await gateway?.close()
    gateway = undefined
  })

  it('answers every pipelined request, those held by backpressure too', async () => {
    gateway = await startGateway({ maxPendingRequests: 4 })
    gateway.route(
      'slow',
      (context) =>
        new Promise((resolve) =>
          setTimeout(() => resolve(context.payload), 150),
        ),
    )
    const peer = await RawPeer.connect(portOf(gateway, 'tcp'))
    peer.send([1, 1, {}])
    await peer.waitFor((e) => e.kind === 2)
    const requests = []
    for (let id = 1; id <= 10; id++) requests.push(frame([5, id, 'slow', id]))
    peer.socket.write(Buffer.concat(requests))
    await new Promise((resolve) => setTimeout(resolve, 50))

    const closing = gateway.close()
    expect(await peer.closeCode()).toBe(1001)
    await closing
    gateway = undefined

    const responses = peer.received.filter((e) => e.kind === 6)
    expect(
      responses.map((e) => (e.kind === 6 ? e.id : 0)).sort((a, b) => a - b),
    ).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    const answered = responses.filter((e) => e.kind === 6 && e.error === null)
    const refused = responses.filter(
      (e) => e.kind === 6 && e.error?.code === 'shutting_down',
    )
    expect(answered.length).toBe(4)
    expect(refused.length).toBe(6)
    const closeIndex = peer.received.findIndex((e) => e.kind === 10)
    expect(closeIndex).toBe(peer.received.length - 1)
  })

  it('charges re-sent requests answered from memory to the rate budget', async () => {
    gateway = await startGateway({
      maxMessagesPerSecond: 10,
      maxBurstMessages: 5,
    })
    let runs = 0
    gateway.route('big', () => {
      runs += 1
      return Buffer.alloc(1024)
    })
    const peer = await RawPeer.connect(portOf(gateway, 'tcp'))
    peer.send([1, 1, {}])
    await peer.waitFor((e) => e.kind === 2)
    const resends = []
    for (let i = 0; i < 50; i++) resends.push(frame([5, 9, 'big', null]))
    peer.socket.write(Buffer.concat(resends))
    await peer.waitFor(
      () => peer.received.filter((e) => e.kind === 6).length === 50,
    )
    const limited = peer.received.filter(
      (e) => e.kind === 6 && e.error?.code === 'rate_limited',
    )
    expect(runs).toBe(1)
    expect(limited.length).toBe(45)
    peer.socket.destroy()
  })

  it('closes with 1002 when a second HELLO comes in the same write', async () => {
    gateway = await startGateway()
    const peer = await RawPeer.connect(portOf(gateway, 'tcp'))
    peer.socket.write(Buffer.concat([frame([1, 1, {}]), frame([1, 1, {}])]))
    expect(await peer.closeCode()).toBe(1002)
  })

  it('closes with 1002 when a request is pipelined behind HELLO', async () => {
    gateway = await startGateway()
    const peer = await RawPeer.connect(portOf(gateway, 'tcp'))
    peer.socket.write(
      Buffer.concat([frame([1, 1, {}]), frame([5, 1, 'x', null])]),
    )
    expect(await peer.closeCode()).toBe(1002)
    const close = peer.received.find((e) => e.kind === 10)
    expect(close?.kind === 10 && close.reason).toBe('sent before WELCOME')
  })
})
