import { connect } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import {
  FrameDecoder,
  MsgpackSerializer,
  parseEnvelope,
} from '../../src/codec/index.js'

const msgpack = new MsgpackSerializer()

import type { Gateway } from '../../src/gateway/gateway.js'
import { frame, portOf, startGateway } from '../helpers/gateway.js'

describe('write backpressure', () => {
  let gateway: Gateway | undefined

  afterEach(async () => {
    await gateway?.close()
    gateway = undefined
  })

  it('stops reading a client that does not read its answers, then catches up', async () => {
    gateway = await startGateway({ maxOutboundBytes: 1024 * 1024 })
    const answer = Buffer.alloc(16 * 1024, 7)
    gateway.route('big', () => answer)
    const socket = connect({ host: '127.0.0.1', port: portOf(gateway, 'tcp') })
    await new Promise((resolve) => socket.once('connect', resolve))
    socket.write(frame([1, 1, {}]))
    await new Promise((resolve) => socket.once('data', resolve))
    socket.pause()

    // 400 requests asking for 16 KiB each: 6.4 MiB of answers, far past
    // maxOutboundBytes, unless the gateway stops reading requests when
    // its writes back up.
    const requests: Buffer[] = []
    for (let id = 1; id <= 400; id++) requests.push(frame([5, id, 'big', null]))
    socket.write(Buffer.concat(requests))
    await new Promise((resolve) => setTimeout(resolve, 500))

    const decoder = new FrameDecoder(1 << 20)
    let answered = 0
    let closed = false
    socket.on('close', () => {
      closed = true
    })
    const done = new Promise<void>((resolve) => {
      socket.on('data', (chunk: Buffer) => {
        decoder.push(chunk, (body) => {
          const message = parseEnvelope(msgpack.decode(body))
          if (message.kind === 6) answered += 1
          if (answered === 400) resolve()
        })
      })
    })
    socket.resume()
    await done
    expect(closed).toBe(false)
    expect(answered).toBe(400)
    socket.destroy()
  })
})
