import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { PortcullisClient, RemoteError } from '../../src/client/index.js'
import { ChatLobby, chatLineRenderer } from '../../src/demo/chat-lobby.js'
import type { Gateway } from '../../src/gateway/gateway.js'
import { LinePeer, portOf, startGateway } from '../helpers/gateway.js'

interface Push {
  route: string
  payload: Record<string, unknown>
}

function collect(client: PortcullisClient): Push[] {
  const pushes: Push[] = []
  client.onPush((route, payload) =>
    pushes.push({ route, payload: payload as Record<string, unknown> }),
  )
  return pushes
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 5))
}

describe('the demo chat lobby', () => {
  let gateway: Gateway
  const clients: PortcullisClient[] = []
  const peers: LinePeer[] = []

  beforeEach(async () => {
    gateway = await startGateway({}, { lineRenderer: chatLineRenderer })
    new ChatLobby(gateway)
  })

  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy()
    for (const peer of peers.splice(0)) peer.socket.destroy()
    await gateway.close()
  })

  async function telnet(): Promise<LinePeer> {
    const peer = await LinePeer.connect(portOf(gateway, 'line'))
    peers.push(peer)
    await peer.waitFor(/What is your name\?/)
    return peer
  }

  async function binary(url: string): Promise<PortcullisClient> {
    const client = await PortcullisClient.connect(url)
    clients.push(client)
    return client
  }

  it('puts telnet, TCP and WebSocket players in one room', async () => {
    const ann = await telnet()
    ann.say('ann')
    await ann.waitFor(/Welcome, ann!/)

    const bob = await telnet()
    bob.say('ann')
    await bob.waitFor(/The name ann is taken/)
    bob.say('bob')
    await bob.waitFor(/Welcome, bob! Online: ann\./)
    await ann.waitFor(/^\*\*\* bob has joined$/)

    const tcp = await binary(`tcp://127.0.0.1:${portOf(gateway, 'tcp')}`)
    const ws = await binary(`ws://127.0.0.1:${portOf(gateway, 'ws')}/`)
    const tcpPushes = collect(tcp)
    const wsPushes = collect(ws)
    expect(await tcp.request('chat.join', { name: 'tess' })).toEqual({
      name: 'tess',
      players: ['ann', 'bob', 'tess'],
    })
    await expect(
      ws.request('chat.join', { name: 'BOB' }),
    ).rejects.toMatchObject({ remoteCode: 'name_taken' })
    await ws.request('chat.join', { name: 'will' })

    ann.say('hello \u001b[2Jeveryone\u0007')
    await bob.waitFor(/^<ann> hello everyone$/)
    await until(() => wsPushes.some((p) => p.route === 'chat.message'))
    expect(wsPushes.find((p) => p.route === 'chat.message')?.payload).toEqual({
      from: 'ann',
      text: 'hello everyone',
    })

    ws.notify('chat.say', { text: 'hi from the browser' })
    await ann.waitFor(/^<will> hi from the browser$/)
    await until(() =>
      tcpPushes.some((p) => p.payload.text === 'hi from the browser'),
    )

    tcp.notify('chat.say', { text: 'hi from tcp' })
    await bob.waitFor(/^<tess> hi from tcp$/)
    await until(() => wsPushes.some((p) => p.payload.text === 'hi from tcp'))
    expect(tcpPushes.some((p) => p.payload.from === 'tess')).toBe(false)

    expect(await ws.request('chat.who')).toEqual({
      players: ['ann', 'bob', 'tess', 'will'],
    })
    bob.say('/who')
    await bob.waitFor(/^Online: ann, bob, tess, will$/)

    bob.say('/quit')
    await bob.waitFor(/^\*\*\* goodbye \(1000\)$/)
    await bob.closed
    await ann.waitFor(/^\*\*\* bob has left$/)
    await until(() =>
      wsPushes.some((p) => p.route === 'chat.left' && p.payload.name === 'bob'),
    )
  })

  it('refuses names with control characters left after cleaning', async () => {
    const client = await binary(`tcp://127.0.0.1:${portOf(gateway, 'tcp')}`)
    const error = await client
      .request('chat.join', { name: '\u001b[31m' })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RemoteError)
    expect((error as RemoteError).remoteCode).toBe('invalid_name')
  })

  it('frees a name when its player leaves', async () => {
    const url = `ws://127.0.0.1:${portOf(gateway, 'ws')}/`
    const first = await binary(url)
    await first.request('chat.join', { name: 'zed' })
    await first.close()
    const second = await binary(url)
    expect(await second.request('chat.join', { name: 'zed' })).toMatchObject({
      name: 'zed',
    })
  })
})
