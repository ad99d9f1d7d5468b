import { afterEach, describe, expect, it } from 'vitest'
import { PortcullisClient } from '../../src/client/index.js'
import type { Gateway } from '../../src/gateway/gateway.js'
import { portOf, startGateway } from '../helpers/gateway.js'

describe('reconnect limits', () => {
  let gateway: Gateway | undefined
  let client: PortcullisClient | undefined

  afterEach(async () => {
    client?.destroy()
    await gateway?.close()
    client = gateway = undefined
  })

  it('gives up after maxAttempts against a server that welcomes and drops', async () => {
    gateway = await startGateway()
    // Every session is closed with 1011 right after its WELCOME.
    gateway.on('session', (session) => {
      setImmediate(() => session.close(1011, 'broken'))
    })
    client = new PortcullisClient(`tcp://127.0.0.1:${portOf(gateway, 'tcp')}`, {
      reconnect: { initialDelayMs: 5, maxDelayMs: 10, maxAttempts: 3 },
    })
    let opened = 0
    client.on('open', () => {
      opened += 1
    })
    const closed = new Promise((resolve) => client!.once('closed', resolve))
    await client.connect()
    await closed
    expect(client.state).toBe('closed')
    expect(opened).toBeLessThanOrEqual(4)
  })
})
