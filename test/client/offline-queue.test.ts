import { describe, expect, it } from 'vitest'
import { OfflineQueue } from '../../src/client/offline-queue.js'

const body = (bytes: number) => new Uint8Array(bytes)

describe('OfflineQueue', () => {
  it('refuses the newest message past maxMessages', () => {
    const queue = new OfflineQueue(2, 1_000)
    expect(queue.add({ body: body(1), requestId: 1 })).toBe(true)
    expect(queue.add({ body: body(1), requestId: undefined })).toBe(true)
    expect(queue.add({ body: body(1), requestId: 3 })).toBe(false)
    expect(queue.drain().map((m) => m.requestId)).toEqual([1, undefined])
  })

  it('refuses a message that would pass maxBytes', () => {
    const queue = new OfflineQueue(10, 10)
    expect(queue.add({ body: body(8), requestId: 1 })).toBe(true)
    expect(queue.add({ body: body(3), requestId: 2 })).toBe(false)
    expect(queue.bytes).toBe(8)
  })

  it('removes a queued request and its bytes', () => {
    const queue = new OfflineQueue(10, 100)
    queue.add({ body: body(4), requestId: 1 })
    queue.add({ body: body(6), requestId: 2 })
    expect(queue.removeRequest(1)).toBe(true)
    expect(queue.removeRequest(1)).toBe(false)
    expect([queue.size, queue.bytes]).toEqual([1, 6])
  })
})
