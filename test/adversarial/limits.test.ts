import { connect, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import type { GatewayOptions } from '../../src/gateway/options.js'
import type { Session } from '../../src/session/index.js'
import {
  frame,
  metricValue,
  RawClient,
  type Started,
  sleep,
  startGateway,
  waitFor,
} from './helpers.js'

/** Every limit of the table, each breached once over a real socket. */
describe('every limit is enforced with its code and counted', () => {
  let started: Started | undefined
  const closers: Array<() => void> = []
  const closed: Session[] = []

  async function start(options: GatewayOptions = {}, auth?: () => unknown) {
    started = await startGateway(
      options,
      auth === undefined ? {} : { auth: auth as never },
    )
    started.gateway.on('sessionClosed', (session) => closed.push(session))
    started.gateway.route('echo', (context) => context.payload)
    return started
  }

  async function tcp(localAddress?: string): Promise<RawClient> {
    const client = await RawClient.connect(
      started!.addresses.tcp.port,
      localAddress,
    )
    closers.push(() => client.destroy())
    return client
  }

  function ws(path = '/'): WebSocket {
    const socket = new WebSocket(
      `ws://127.0.0.1:${started!.addresses.ws.port}${path}`,
    )
    socket.on('error', () => {})
    closers.push(() => socket.terminate())
    return socket
  }

  function wsClosed(socket: WebSocket): Promise<number> {
    return new Promise((resolve) =>
      socket.once('close', (code) => resolve(code)),
    )
  }

  function closes(code: number): Promise<number> {
    return metricValue(started!.gateway, 'portcullis_closes_total', { code })
  }

  afterEach(async () => {
    for (const close of closers.splice(0)) close()
    closed.length = 0
    await started?.gateway.close()
    started = undefined
  })

  it('announces every enforced limit in WELCOME', async () => {
    await start({ maxFrameBytes: 4096, maxPendingRequests: 7 })
    const client = await tcp()
    const welcome = await client.hello()
    const limits = welcome[5] as Record<string, number>
    expect(limits).toEqual({ ...started!.gateway.limits })
    expect(limits).toMatchObject({
      maxFrameBytes: 4096,
      maxPendingRequests: 7,
      maxOutboundBytes: 1024 * 1024,
      rateLimitCloseAfterMs: 5_000,
      maxRememberedResponses: 64,
    })
  })

  it('closes 1009 on a frame header over maxFrameBytes, before the body', async () => {
    await start({ maxFrameBytes: 1024 })
    const client = await tcp()
    await client.hello()
    const header = Buffer.alloc(4)
    header.writeUInt32BE(1025)
    client.write(header)
    await client.waitClosed()
    expect(client.closeCode).toBe(1009)
    await waitFor(() => started!.gateway.liveSessions === 0)
    expect(await closes(1009)).toBe(1)
    expect(
      await metricValue(started!.gateway, 'portcullis_protocol_errors_total', {
        code: 1009,
      }),
    ).toBe(1)
  })

  it('closes 1009 on a WebSocket message over maxFrameBytes', async () => {
    await start({ maxFrameBytes: 1024 })
    const socket = ws()
    await new Promise((resolve) => socket.once('open', resolve))
    socket.send(Buffer.alloc(2048))
    expect(await wsClosed(socket)).toBe(1009)
    await waitFor(() => started!.gateway.liveSessions === 0)
    expect(await closes(1009)).toBe(1)
  })

  it('closes 4008 without a HELLO in time, WebSocket upgrade included', async () => {
    await start({ handshakeTimeoutMs: 200 })
    const client = await tcp()
    const wsCode = wsClosed(ws())
    await client.waitClosed(2_000)
    expect(client.closeCode).toBe(4008)
    expect(await wsCode).toBe(4008)
    await waitFor(() => started!.gateway.liveSessions === 0)
    expect(await closes(4008)).toBe(2)
  })

  it('closes 4001 when the auth hook does not answer in time', async () => {
    await start({ authTimeoutMs: 200 }, () => new Promise(() => {}))
    const client = await tcp()
    client.send([1, 1, {}])
    await client.waitClosed(2_000)
    expect(client.closeCode).toBe(4001)
    // The session is counted once the server has seen the socket go.
    await waitFor(() => started!.gateway.liveSessions === 0)
    expect(await closes(4001)).toBe(1)
  })

  it('answers over-budget requests rate_limited, drops notifies, then 4029', async () => {
    await start({
      maxMessagesPerSecond: 10,
      maxBurstMessages: 5,
      rateLimitCloseAfterMs: 400,
    })
    const client = await tcp()
    await client.hello()
    const frames = []
    for (let id = 1; id <= 8; id += 1) frames.push(frame([5, id, 'echo', id]))
    for (let n = 0; n < 3; n += 1) frames.push(frame([7, 'echo', n]))
    client.write(Buffer.concat(frames))
    const last = await client.next((m) => m[0] === 6 && m[1] === 8)
    expect((last[3] as { code: string }).code).toBe('rate_limited')
    const ok = client.received.filter((m) => m[0] === 6 && m.length === 3)
    expect(ok).toHaveLength(5)
    const gateway = started!.gateway
    expect(
      await metricValue(gateway, 'portcullis_dropped_total', {
        what: 'notify',
      }),
    ).toBe(3)
    expect(
      await metricValue(gateway, 'portcullis_dropped_total', {
        what: 'request',
      }),
    ).toBe(3)

    let id = 100
    while (!client.isClosed) {
      client.send([7, 'echo', id])
      id += 1
      await sleep(5)
    }
    expect(client.closeCode).toBe(4029)
    await waitFor(() => started!.gateway.liveSessions === 0)
    expect(await closes(4029)).toBe(1)
  })

  it('stops reading past maxPendingRequests until handlers catch up', async () => {
    const { gateway } = await start({ maxPendingRequests: 4 })
    let running = 0
    let mostRunning = 0
    const release: Array<() => void> = []
    gateway.route('slow', () => {
      running += 1
      mostRunning = Math.max(mostRunning, running)
      return new Promise<string>((resolve) => {
        release.push(() => {
          running -= 1
          resolve('done')
        })
      })
    })
    const client = await tcp()
    await client.hello()
    const frames = []
    for (let id = 1; id <= 12; id += 1) frames.push(frame([5, id, 'slow', id]))
    client.write(Buffer.concat(frames))
    await waitFor(() => running === 4)
    await sleep(50)
    expect(running).toBe(4)

    while (release.length > 0 || running > 0) {
      release.shift()?.()
      await sleep(5)
    }
    await client.next((m) => m[0] === 6 && m[1] === 12)
    expect(mostRunning).toBe(4)
    expect(
      await metricValue(gateway, 'portcullis_read_pauses_total', {
        transport: 'tcp',
      }),
    ).toBeGreaterThanOrEqual(1)
    const answered = client.received.filter((m) => m[0] === 6)
    expect(answered).toHaveLength(12)
  })

  it('closes 1007 on a body nested deeper than maxNestingDepth', async () => {
    await start({ maxNestingDepth: 4 })
    const client = await tcp()
    await client.hello()
    client.send([5, 1, 'echo', [[[['deep']]]]])
    await client.waitClosed()
    expect(client.closeCode).toBe(1007)
    await waitFor(() => started!.gateway.liveSessions === 0)
    expect(await closes(1007)).toBe(1)
  })

  it('refuses past maxConnections with 1013 and HTTP 503', async () => {
    const { gateway } = await start({ maxConnections: 1, retryAfterMs: 3_000 })
    const first = await tcp()
    await first.hello()
    const second = await tcp()
    await second.waitClosed()
    const close = second.received[0]
    expect(close).toEqual([10, 1013, 'server busy', 3_000])
    const response = await rawHttp(started!.addresses.ws.port, upgradeRequest())
    expect(response).toMatch(/^HTTP\/1.1 503/)
    expect(response).toMatch(/Retry-After: 3\r\n/)
    expect(
      await metricValue(gateway, 'portcullis_refused_total', {
        reason: 'max_connections',
      }),
    ).toBe(2)
    expect(await first.request(1, 'echo', 'fine')).toEqual([6, 1, 'fine'])
  })

  it('refuses past maxConnectionsPerIp with 1013, other addresses not', async () => {
    const { gateway } = await start({ maxConnectionsPerIp: 2 })
    const clients = [await tcp('127.0.0.2'), await tcp('127.0.0.2')]
    for (const client of clients) await client.hello()
    const third = await tcp('127.0.0.2')
    await third.waitClosed()
    expect(third.closeCode).toBe(1013)
    const elsewhere = await tcp('127.0.0.3')
    await elsewhere.hello()
    expect(
      await metricValue(gateway, 'portcullis_refused_total', {
        reason: 'max_connections_per_ip',
      }),
    ).toBe(1)

    clients[0]!.destroy()
    await waitFor(() => gateway.metrics.traffic.tcp.connections === 2)
    const again = await tcp('127.0.0.2')
    await again.hello()
  })

  it('refuses past maxHandshakes with 1013 and HTTP 503, opens the rest', async () => {
    const { gateway } = await start({ maxHandshakes: 2 })
    const open = await tcp()
    await open.hello()
    const waiting = [await tcp(), await tcp()]
    await waitFor(() => gateway.liveSessions === 3)
    const refused = await tcp()
    await refused.waitClosed()
    expect(refused.closeCode).toBe(1013)
    const response = await rawHttp(started!.addresses.ws.port, upgradeRequest())
    expect(response).toMatch(/^HTTP\/1.1 503/)
    expect(response).toMatch(/Retry-After: \d+\r\n/)
    expect(
      await metricValue(gateway, 'portcullis_refused_total', {
        reason: 'max_handshakes',
      }),
    ).toBe(2)
    for (const client of waiting) await client.hello()
    expect(await open.request(1, 'echo', 'fine')).toEqual([6, 1, 'fine'])
  })

  it('ends a line longer than maxLineBytes with a reason line (1009)', async () => {
    await start({ maxLineBytes: 64 })
    const { socket, text } = lineClient(started!.addresses.line.port)
    socket.write(`${'a'.repeat(100)}\n`)
    await new Promise((resolve) => socket.once('close', resolve))
    expect(text()).toMatch(/\(1009\)\r\n$/)
    await waitFor(() => started!.gateway.liveSessions === 0)
    expect(await closes(1009)).toBe(1)
  })

  it('ends an idle line session with a reason line (4003)', async () => {
    await start({
      lineIdleTimeoutMs: 200,
      heartbeatIntervalMs: 50,
      idleTimeoutMs: 100,
    })
    const { socket, text } = lineClient(started!.addresses.line.port)
    await new Promise((resolve) => socket.once('close', resolve))
    expect(text()).toMatch(/\(4003\)\r\n$/)
    await waitFor(() => started!.gateway.liveSessions === 0)
    expect(await closes(4003)).toBe(1)
  })
})

function lineClient(port: number): { socket: Socket; text: () => string } {
  const socket = connect({ host: '127.0.0.1', port })
  socket.on('error', () => {})
  const chunks: Buffer[] = []
  socket.on('data', (chunk: Buffer) => chunks.push(chunk))
  return { socket, text: () => Buffer.concat(chunks).toString('utf8') }
}

function upgradeRequest(): string {
  return (
    'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\n' +
    'Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n' +
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n'
  )
}

/** Sends raw HTTP and resolves with everything the server wrote. */
function rawHttp(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port })
    const chunks: Buffer[] = []
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('error', reject)
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')))
    socket.write(request)
  })
}
