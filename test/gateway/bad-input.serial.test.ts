import { connect } from 'node:net'
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

  it('counts the WebSocket upgrade against handshakeTimeoutMs', async () => {
    gateway = await startGateway({ handshakeTimeoutMs: 400 })
    const socket = connect({ host: '127.0.0.1', port: portOf(gateway, 'ws') })
    socket.on('error', () => undefined)
    const connectedAt = await new Promise<number>((resolve) =>
      socket.once('connect', () => resolve(Date.now())),
    )
    await new Promise((resolve) => setTimeout(resolve, 300))
    socket.write(
      'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n' +
        'Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    )
    const received: Buffer[] = []
    // A close frame: opcode 0x88, length 2 + reason, code 4008 (0x0fa8).
    const closeFrameAt = await new Promise<number>((resolve) => {
      socket.on('data', (chunk: Buffer) => {
        received.push(chunk)
        const bytes = Buffer.concat(received)
        const at = bytes.indexOf(0x88)
        if (at >= 0 && bytes[at + 2] === 0x0f && bytes[at + 3] === 0xa8) {
          resolve(Date.now())
        }
      })
    })
    socket.destroy()
    // Upgraded at 300 ms, closed by the deadline that ran from the accept:
    // well before 300 + 400 ms.
    expect(closeFrameAt - connectedAt).toBeLessThan(650)
    const text = Buffer.concat(received).toString('latin1')
    expect(text).toMatch(/^HTTP\/1\.1 101/)
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
