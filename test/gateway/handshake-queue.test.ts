import { describe, expect, it } from 'vitest'
import { HandshakeQueue } from '../../src/gateway/handshake-queue.js'

const nextTurn = () => new Promise((resolve) => setImmediate(resolve))

describe('HandshakeQueue', () => {
  it('runs every job in order, at most maxPerTurn per event-loop turn', async () => {
    const queue = new HandshakeQueue(3)
    const ran: number[] = []
    for (let i = 0; i < 7; i++) queue.push(() => ran.push(i))
    expect(ran).toEqual([])
    await nextTurn()
    expect(ran).toEqual([0, 1, 2])
    await nextTurn()
    expect(ran).toEqual([0, 1, 2, 3, 4, 5])
    await nextTurn()
    expect(ran).toEqual([0, 1, 2, 3, 4, 5, 6])
    expect(queue.size).toBe(0)
  })

  it('starts again after it ran dry', async () => {
    const queue = new HandshakeQueue(2)
    const ran: string[] = []
    queue.push(() => ran.push('a'))
    await nextTurn()
    queue.push(() => ran.push('b'))
    await nextTurn()
    expect(ran).toEqual(['a', 'b'])
  })
})
