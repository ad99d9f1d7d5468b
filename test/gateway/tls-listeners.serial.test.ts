import { readFile, writeFile } from 'node:fs/promises'
import { connect as netConnect, type Socket } from 'node:net'
import { connect as tlsConnect } from 'node:tls'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PortcullisClient } from '../../src/client/index.js'
import { ChatLobby, chatLineRenderer } from '../../src/demo/chat-lobby.js'
import type { Gateway } from '../../src/gateway/gateway.js'
import { writeCertificateFiles } from '../../src/tls/index.js'
import { portOf, startGateway } from '../helpers/gateway.js'
import { openssl, TempDirs } from '../tls/helpers.js'

const dirs = new TempDirs()

/** The SHA-256 fingerprint a fresh TLS connection to `port` sees. */
function fingerprint(port: number, ca: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, ca }, () => {
      resolve(socket.getPeerCertificate().fingerprint256)
      socket.destroy()
    })
    socket.on('error', reject)
  })
}

describe('TLS and WSS listeners', () => {
  let gateway: Gateway
  let dir: string
  let ca: Buffer

  beforeAll(async () => {
    dir = await dirs.make()
    await writeCertificateFiles(dir, { hosts: ['localhost', '127.0.0.1'] })
    ca = await readFile(`${dir}/ca.pem`)
    gateway = await startGateway(
      { tls: dir, tlsPort: 0, wssPort: 0, tlsHandshakeTimeoutMs: 500 },
      { lineRenderer: chatLineRenderer },
    )
    new ChatLobby(gateway)
  })

  afterAll(async () => {
    await gateway.close()
    await dirs.cleanup()
  })

  it('lets TLS, WSS and plain TCP players share the room', async () => {
    const tls = await PortcullisClient.connect(
      `tls://localhost:${portOf(gateway, 'tls')}`,
      { tls: { ca } },
    )
    const wss = await PortcullisClient.connect(
      `wss://127.0.0.1:${portOf(gateway, 'wss')}/`,
      { tls: { ca } },
    )
    const plain = await PortcullisClient.connect(
      `tcp://127.0.0.1:${portOf(gateway, 'tcp')}`,
    )
    const heard = new Promise((resolve) =>
      plain.onPush((route, payload) => {
        if (route === 'chat.message') resolve(payload)
      }),
    )
    const wssHeard = new Promise((resolve) =>
      wss.onPush((route, payload) => {
        if (route === 'chat.message') resolve(payload)
      }),
    )
    await tls.request('chat.join', { name: 'tiffany' })
    await wss.request('chat.join', { name: 'wes' })
    await plain.request('chat.join', { name: 'pat' })
    tls.notify('chat.say', { text: 'encrypted hello' })
    expect(await heard).toEqual({ from: 'tiffany', text: 'encrypted hello' })
    expect(await wssHeard).toEqual({ from: 'tiffany', text: 'encrypted hello' })
    for (const client of [tls, wss, plain]) await client.close()
  })

  it('verifies with openssl s_client over TLS 1.3 on both ports', async () => {
    for (const port of [portOf(gateway, 'tls'), portOf(gateway, 'wss')]) {
      const result = await openssl([
        's_client',
        '-tls1_3',
        '-CAfile',
        `${dir}/ca.pem`,
        '-verify_return_error',
        '-connect',
        `127.0.0.1:${port}`,
      ])
      expect(result.stdout).toMatch(/Verify return code: 0 \(ok\)/)
    }
  })

  it('refuses a client that offers only TLS 1.1', async () => {
    const result = await openssl([
      's_client',
      '-tls1_1',
      '-cipher',
      'DEFAULT@SECLEVEL=0',
      '-connect',
      `127.0.0.1:${portOf(gateway, 'tls')}`,
    ])
    expect(result.code).not.toBe(0)
    expect(result.stderr).toMatch(/alert protocol version|unsupported protocol/)
    expect(result.stdout).toMatch(/no peer certificate available/)
  })

  it('drops a plaintext client within the handshake deadline', async () => {
    const socket = netConnect({
      host: '127.0.0.1',
      port: portOf(gateway, 'tls'),
    })
    socket.on('error', () => undefined)
    const started = Date.now()
    socket.write('[1,1,{}]\n')
    await new Promise((resolve) => socket.on('close', resolve))
    expect(Date.now() - started).toBeLessThan(2_000)
    const health = await fetch(
      `http://127.0.0.1:${portOf(gateway, 'ops')}/healthz`,
    )
    expect(health.status).toBe(200)
  })

  it('completes a handshake within 1 s while 1,000 idle connections wait', async () => {
    const idle: Socket[] = []
    const port = portOf(gateway, 'tls')
    await Promise.all(
      Array.from({ length: 1000 }, (_, i) => {
        return new Promise<void>((resolve) => {
          const socket = netConnect({
            host: '127.0.0.1',
            port,
            localAddress: `127.0.0.${2 + (i % 50)}`,
          })
          socket.on('error', () => resolve())
          socket.on('connect', () => resolve())
          idle.push(socket)
        })
      }),
    )
    const started = Date.now()
    await fingerprint(port, ca)
    expect(Date.now() - started).toBeLessThan(1_000)
    for (const socket of idle) socket.destroy()
  })

  it('switches new handshakes to a reloaded certificate, keeps old sessions', async () => {
    const port = portOf(gateway, 'tls')
    const before = await fingerprint(port, ca)
    const old = await PortcullisClient.connect(`tls://localhost:${port}`, {
      tls: { ca },
    })

    await writeCertificateFiles(dir, {
      hosts: ['localhost', '127.0.0.1'],
      force: true,
    })
    expect(await gateway.reloadTls()).toBe(true)
    const after = await fingerprint(port, ca)
    expect(after).not.toBe(before)
    expect(await old.request('chat.who')).toHaveProperty('players')

    await writeFile(`${dir}/server.pem`, 'not a certificate')
    expect(await gateway.reloadTls()).toBe(false)
    expect(await fingerprint(port, ca)).toBe(after)
    await old.close()
  })
})
