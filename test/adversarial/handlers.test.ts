import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { HandlerContext } from '../../src/gateway/handler-context.js'
import {
  memoryLogger,
  metricValue,
  RawClient,
  type Started,
  startGateway,
} from './helpers.js'

const ERROR_LEVEL = 50

describe('handlers that throw, reject or never settle', () => {
  let started: Started
  let client: RawClient
  let lines: ReturnType<typeof memoryLogger>['lines']
  let hung: HandlerContext | undefined

  beforeEach(async () => {
    const memory = memoryLogger('debug')
    lines = memory.lines
    started = await startGateway(
      { handlerTimeoutMs: 200, logLevel: 'debug' },
      { logger: memory.logger },
    )
    const { gateway } = started
    gateway.route('throws', () => {
      throw new Error('sync boom')
    })
    gateway.route('rejects', async () => {
      throw new Error('async boom')
    })
    gateway.route('hangs', (context) => {
      hung = context
      context.signal.addEventListener('abort', () => {})
      return new Promise(() => {})
    })
    gateway.route('throws-undefined', () => {
      throw undefined
    })
    gateway.route('throws-null-prototype', () => {
      throw Object.create(null)
    })
    gateway.route('bad-thenable', () => ({
      // biome-ignore lint/suspicious/noThenProperty: a hostile thenable
      then() {
        throw new Error('then boom')
      },
    }))
    gateway.route('echo', (context) => context.payload)
    client = await RawClient.connect(started.addresses.tcp.port)
    await client.hello()
  })

  afterEach(async () => {
    client.destroy()
    await started.gateway.close()
  })

  function errorCode(response: unknown[]): unknown {
    return (response[3] as { code?: string } | undefined)?.code
  }

  it('answers a synchronous throw with handler_error and logs the id', async () => {
    const response = await client.request(11, 'throws')
    expect(errorCode(response)).toBe('handler_error')
    const logged = lines.filter((line) => line.level === ERROR_LEVEL)
    expect(logged).toHaveLength(1)
    expect(logged[0]).toMatchObject({ requestId: 11, route: 'throws' })
    expect(await client.request(12, 'echo', 'alive')).toEqual([6, 12, 'alive'])
  })

  it('answers a rejection with handler_error and logs the id', async () => {
    const response = await client.request(21, 'rejects')
    expect(errorCode(response)).toBe('handler_error')
    const logged = lines.filter((line) => line.level === ERROR_LEVEL)
    expect(logged).toHaveLength(1)
    expect(logged[0]).toMatchObject({ requestId: 21, route: 'rejects' })
  })

  it('answers a handler that never settles with handler_timeout', async () => {
    const startedAt = Date.now()
    const response = await client.request(31, 'hangs')
    expect(errorCode(response)).toBe('handler_timeout')
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(190)
    expect(hung?.signal.aborted).toBe(true)
    expect(started.gateway.liveSessions).toBe(1)
    expect(await client.request(32, 'echo', 'alive')).toEqual([6, 32, 'alive'])
  })

  it('survives odd throws: undefined, a null-prototype object, a bad then', async () => {
    for (const [id, route] of [
      [41, 'throws-undefined'],
      [42, 'throws-null-prototype'],
      [43, 'bad-thenable'],
    ] as const) {
      const response = await client.request(id, route)
      expect(errorCode(response)).toBe('handler_error')
    }
    client.send([7, 'throws-null-prototype', null])
    expect(await client.request(44, 'echo', 'alive')).toEqual([6, 44, 'alive'])
    expect(
      await metricValue(started.gateway, 'portcullis_handler_failures_total'),
    ).toBe(4)
  })
})
