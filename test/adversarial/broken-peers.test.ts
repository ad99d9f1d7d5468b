import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import {
  frame,
  memoryLogger,
  RawClient,
  type Started,
  startGateway,
  waitFor,
} from './helpers.js'

const DEBUG_LEVEL = 20

describe('broken peers end their session quietly', () => {
  let started: Started
  let lines: ReturnType<typeof memoryLogger>['lines']

  beforeEach(async () => {
    const memory = memoryLogger('trace')
    lines = memory.lines
    started = await startGateway(
      { logLevel: 'trace', resumeWindowMs: 0 },
      { logger: memory.logger },
    )
    started.gateway.route('echo', (context) => context.payload)
  })

  afterEach(async () => {
    await started.gateway.close()
  })

  function loudLines() {
    return lines.filter(
      (line) => line.level > DEBUG_LEVEL && !/^gateway |^drain /.test(line.msg),
    )
  }

  it('closes 1007 on a WebSocket text frame of invalid UTF-8', async () => {
    const url = `ws://127.0.0.1:${started.addresses.ws.port}/`
    const socket = new WebSocket(url)
    socket.on('error', () => {})
    await new Promise((resolve) => socket.once('open', resolve))
    const welcome = new Promise((resolve) => socket.once('message', resolve))
    socket.send(JSON.stringify([1, 1, {}]))
    await welcome
    const code = new Promise((resolve) => socket.once('close', resolve))
    socket.send(Buffer.from([0x5b, 0xff, 0xfe, 0x5d]), { binary: false })

    expect(await code).toBe(1007)
    await waitFor(() => started.gateway.liveSessions === 0)
    expect(loudLines()).toEqual([])
  })

  it('lives through a connection reset in the middle of a frame', async () => {
    const before = await RawClient.connect(started.addresses.tcp.port)
    before.write(frame([1, 1, {}]).subarray(0, 5))
    await waitFor(() => started.gateway.metrics.traffic.tcp.bytesIn >= 5)
    before.socket.resetAndDestroy()

    const after = await RawClient.connect(started.addresses.tcp.port)
    await after.hello()
    const bytes = frame([5, 1, 'echo', 'x'.repeat(1000)])
    after.write(bytes.subarray(0, 600))
    await waitFor(() => started.gateway.metrics.traffic.tcp.bytesIn >= 600)
    after.socket.resetAndDestroy()

    await waitFor(() => started.gateway.liveSessions === 0)
    const other = await RawClient.connect(started.addresses.tcp.port)
    await other.hello()
    expect(await other.request(2, 'echo', 'ok')).toEqual([6, 2, 'ok'])
    other.destroy()
    expect(loudLines()).toEqual([])
    expect(lines.some((line) => line.msg === 'socket error')).toBe(true)
  })
})
