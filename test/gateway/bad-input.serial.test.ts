import { afterEach, describe, expect, it } from 'vitest'
import { PortcullisClient } from '../../src/client/index.js'
import { Kind } from '../../src/codec/index.js'
import type { Gateway } from '../../src/gateway/gateway.js'
import { portOf, RawPeer, startGateway } from '../helpers/gateway.js'

const HELLO = [Kind.HELLO, 1, {}]

describe('bad input gets a clear answer', () => {
  let gateway: Gateway

  afterEach(async () => {
    await gateway.close()
  })

  async function helloPeer(): Promise<RawPeer> {
    const peer = await RawPeer.connect(portOf(gateway, 'tcp'))
    peer.send(HELLO)
    await peer.waitFor((e) => e.kind === Kind.WELCOME)
    return peer
  }

  it('closes with 1009 when a frame exceeds maxFrameBytes', async () => {
    gateway = await startGateway({ maxFrameBytes: 1024 })
    const peer = await helloPeer()
    const header = Buffer.alloc(4)
    header.writeUInt32BE(1025)
    peer.socket.write(header)
    expect(await peer.closeCode()).toBe(1009)
  })

  it('closes with 1007 when a body is not MessagePack', async () => {
    gateway = await startGateway()
    const peer = await helloPeer()
    peer.sendFrame(Buffer.from([0xc1, 0xc1, 0xc1]))
    expect(await peer.closeCode()).toBe(1007)
  })

  it('closes with 1007 when a body nests deeper than maxNestingDepth', async () => {
    gateway = await startGateway({ maxNestingDepth: 8 })
    const peer = await helloPeer()
    let deep: unknown = 1
    for (let i = 0; i < 10; i++) deep = [deep]
    peer.send([Kind.NOTIFY, 'x', deep])
    expect(await peer.closeCode()).toBe(1007)
  })

  it('closes with 1002 when the first message is not HELLO', async () => {
    gateway = await startGateway()
    const peer = await RawPeer.connect(portOf(gateway, 'tcp'))
    peer.send([Kind.REQUEST, 1, 'x', null])
    expect(await peer.closeCode()).toBe(1002)
  })

  it('closes with 4008 when no HELLO arrives within handshakeTimeoutMs', async () => {
    gateway = await startGateway({ handshakeTimeoutMs: 200 })
    const peer = await RawPeer.connect(portOf(gateway, 'tcp'))
    const started = Date.now()
    expect(await peer.closeCode()).toBe(4008)
    expect(Date.now() - started).toBeGreaterThanOrEqual(150)
  })

  it('closes a silent WebSocket upgrade-less connection after handshakeTimeoutMs', async () => {
    gateway = await startGateway({ handshakeTimeoutMs: 300 })
    const peer = await RawPeer.connect(portOf(gateway, 'ws'))
    await peer.closed
  })

  it('answers unknown_route and handler_error, and the session lives on', async () => {
    gateway = await startGateway()
    gateway.route('boom', () => {
      throw new Error('handler bug')
    })
    gateway.route('echo', (context) => context.payload)
    const client = await PortcullisClient.connect(
      `tcp://127.0.0.1:${portOf(gateway, 'tcp')}`,
    )
    await expect(client.request('nowhere', 1)).rejects.toMatchObject({
      remoteCode: 'unknown_route',
    })
    await expect(client.request('boom', 1)).rejects.toMatchObject({
      remoteCode: 'handler_error',
    })
    expect(await client.request('echo', { n: 7 })).toEqual({ n: 7 })
    await client.close()
  })

  it('counts closes by code in /metrics', async () => {
    gateway = await startGateway({ maxFrameBytes: 1024 })
    const peer = await helloPeer()
    peer.sendFrame(Buffer.alloc(2000))
    await peer.closed
    const response = await fetch(
      `http://127.0.0.1:${portOf(gateway, 'ops')}/metrics`,
    )
    const text = await response.text()
    expect(text).toMatch(/portcullis_closes_total\{code="1009"\} 1/)
    expect(text).toMatch(/portcullis_protocol_errors_total\{code="1009"\} 1/)
  })
})
