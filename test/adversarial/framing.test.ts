import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  frame,
  RawClient,
  type Started,
  sleep,
  startGateway,
} from './helpers.js'

describe('frames split and joined by the network', () => {
  let started: Started
  let client: RawClient
  const calls: unknown[] = []

  beforeEach(async () => {
    calls.length = 0
    started = await startGateway()
    started.gateway.route('echo', (context) => {
      calls.push(context.payload)
      return context.payload
    })
    client = await RawClient.connect(started.addresses.tcp.port)
    await client.hello()
  })

  afterEach(async () => {
    client.destroy()
    await started.gateway.close()
  })

  it('decodes a frame once when its header comes a byte at a time', async () => {
    const bytes = frame([5, 1, 'echo', { text: 'x'.repeat(300) }])
    for (let index = 0; index < 4; index += 1) {
      client.write(bytes.subarray(index, index + 1))
      await sleep(50)
    }
    const bodyBytes = bytes.subarray(4)
    const third = Math.ceil(bodyBytes.length / 3)
    for (let start = 0; start < bodyBytes.length; start += third) {
      client.write(bodyBytes.subarray(start, start + third))
      await sleep(50)
    }

    const response = await client.request(2, 'echo', 'after')
    expect(response).toEqual([6, 2, 'after'])
    expect(calls).toEqual([{ text: 'x'.repeat(300) }, 'after'])
    const answers = client.received.filter((m) => m[0] === 6 && m[1] === 1)
    expect(answers).toEqual([[6, 1, { text: 'x'.repeat(300) }]])
  })

  it('decodes many frames of one write and completes a cut last one', async () => {
    const frames = []
    for (let id = 1; id <= 50; id += 1) frames.push(frame([5, id, 'echo', id]))
    const joined = Buffer.concat(frames)
    const cut = joined.length - Math.floor(frames[49]!.length / 2)
    client.write(joined.subarray(0, cut))
    await client.next((m) => m[0] === 6 && m[1] === 49)
    expect(calls).toHaveLength(49)

    client.write(joined.subarray(cut))
    await client.next((m) => m[0] === 6 && m[1] === 50)
    expect(calls).toEqual(Array.from({ length: 50 }, (_, i) => i + 1))
    const ids = client.received.filter((m) => m[0] === 6).map((m) => m[1])
    expect(ids).toEqual(Array.from({ length: 50 }, (_, i) => i + 1))
  })
})
