import { readFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PortcullisClient } from '../../src/client/index.js'
import type { Gateway } from '../../src/gateway/gateway.js'
import { writeCertificateFiles } from '../../src/tls/index.js'
import { portOf, startGateway } from '../helpers/gateway.js'
import { TempDirs } from '../tls/helpers.js'
import { until } from './helpers.js'

const dirs = new TempDirs()
let gateway: Gateway
let ca: Buffer

beforeAll(async () => {
  const dir = await dirs.make()
  await writeCertificateFiles(dir, { hosts: ['localhost', '127.0.0.1'] })
  ca = await readFile(`${dir}/ca.pem`)
  gateway = await startGateway({ tls: dir, tlsPort: 0, wssPort: 0 })
})

afterAll(async () => {
  await gateway.close()
  await dirs.cleanup()
})

async function dropAndResume(first: string, second: string): Promise<void> {
  const client = new PortcullisClient([first, second], {
    tls: { ca },
    reconnect: { initialDelayMs: 5, maxDelayMs: 20 },
  })
  const received: number[] = []
  client.on('push', (push) => received.push(push.payload as number))
  await client.connect()
  const session = (await gateway.registry.get(client.sessionId!))!
  for (let n = 1; n <= 50; n += 1) session.push('n', n)
  await until(() => received.length === 50, 'first pushes')
  const resumed = new Promise((resolve) => client.once('open', resolve))
  client.reconnect()
  for (let n = 51; n <= 100; n += 1) session.push('n', n)
  expect(await resumed).toMatchObject({ resumed: true })
  await until(() => received.length === 100, 'every push')
  expect(received).toEqual(Array.from({ length: 100 }, (_, i) => i + 1))
  expect(session.transport?.name).toBe(new URL(second).protocol.slice(0, -1))
  client.destroy()
}

describe('resume across encrypted transports', () => {
  it('resumes on WSS a session that dropped on TLS-TCP', async () => {
    await dropAndResume(
      `tls://localhost:${portOf(gateway, 'tls')}`,
      `wss://127.0.0.1:${portOf(gateway, 'wss')}/`,
    )
  })

  it('resumes on plain TCP a session that dropped on WSS', async () => {
    await dropAndResume(
      `wss://127.0.0.1:${portOf(gateway, 'wss')}/`,
      `tcp://127.0.0.1:${portOf(gateway, 'tcp')}`,
    )
  })
})
