import { once } from 'node:events'
import { copyFile, readFile, writeFile } from 'node:fs/promises'
import { connect as connectTcp } from 'node:net'
import { join } from 'node:path'
import type { TLSSocket } from 'node:tls'
import { afterEach, describe, expect, it } from 'vitest'
import { PortcullisErrorCode } from '../../src/codec/portcullis-error.js'
import type { CertificateSummary } from '../../src/tls/certificate-summary.js'
import { dropFailedHandshakes } from '../../src/tls/drop-failed-handshakes.js'
import { TlsContextStore } from '../../src/tls/tls-context-store.js'
import { tlsServerOptions } from '../../src/tls/tls-server-options.js'
import {
  type CertificateFiles,
  writeCertificateFiles,
} from '../../src/tls/write-certificate-files.js'
import {
  connectTls,
  type EchoServer,
  openssl,
  startEchoServer,
  TempDirs,
} from './helpers.js'

const dirs = new TempDirs()
const cleanups: (() => unknown)[] = []

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  await dirs.cleanup()
})

const hosts = ['localhost', '127.0.0.1']

async function certificateDir(): Promise<CertificateFiles & { dir: string }> {
  const dir = await dirs.make()
  return { dir, ...(await writeCertificateFiles(dir, { hosts })) }
}

async function openStore(
  ...args: Parameters<typeof TlsContextStore.open>
): Promise<TlsContextStore> {
  const store = await TlsContextStore.open(...args)
  cleanups.push(() => store.close())
  return store
}

async function serve(
  store: TlsContextStore,
  handshakeTimeoutMs = 10_000,
): Promise<EchoServer> {
  const echo = await startEchoServer(
    tlsServerOptions(store, { handshakeTimeoutMs }),
    (server) => {
      store.attach(server)
      dropFailedHandshakes(server)
    },
  )
  cleanups.push(() => echo.close())
  return echo
}

async function client(port: number, ca: Buffer): Promise<TLSSocket> {
  const socket = await connectTls(port, { ca })
  cleanups.push(() => socket.destroy())
  return socket
}

async function echoes(socket: TLSSocket, text: string): Promise<string> {
  socket.write(text)
  const [data] = await once(socket, 'data')
  return String(data)
}

describe('TlsContextStore with a real TLS server', () => {
  it('accepts a TLS 1.3 client that trusts ca.pem', async () => {
    const files = await certificateDir()
    const store = await openStore({ dir: files.dir }, { watch: false })
    const { port } = await serve(store)

    const socket = await client(port, await readFile(files.caCertFile))
    expect(socket.authorized).toBe(true)
    expect(socket.getProtocol()).toBe('TLSv1.3')
    expect(await echoes(socket, 'ping')).toBe('ping')
    const sClient = await openssl([
      's_client',
      '-connect',
      `127.0.0.1:${port}`,
      '-tls1_3',
      '-CAfile',
      files.caCertFile,
      '-verify_return_error',
      '-brief',
    ])
    expect(sClient.code).toBe(0)
    expect(sClient.stderr).toContain('Verification: OK')
  })

  it('refuses a client that offers only TLS 1.1', async () => {
    const files = await certificateDir()
    const store = await openStore({ dir: files.dir }, { watch: false })
    const { server, port } = await serve(store)
    const refused = once(server, 'tlsClientError')

    await expect(
      connectTls(port, {
        ca: await readFile(files.caCertFile),
        minVersion: 'TLSv1.1',
        maxVersion: 'TLSv1.1',
        ciphers: 'DEFAULT@SECLEVEL=0',
      }),
    ).rejects.toThrow()
    const [error] = await refused
    expect(String(error)).toMatch(/unsupported protocol/)
    const sClient = await openssl([
      's_client',
      '-connect',
      `127.0.0.1:${port}`,
      '-tls1_1',
      '-cipher',
      'DEFAULT@SECLEVEL=0',
      '-CAfile',
      files.caCertFile,
    ])
    expect(sClient.code).not.toBe(0)
  })

  it('drops a client that never starts a handshake after handshakeTimeoutMs', async () => {
    const files = await certificateDir()
    const store = await openStore({ dir: files.dir }, { watch: false })
    const { server, port } = await serve(store, 200)
    const timedOut = once(server, 'tlsClientError')

    const silent = connectTcp(port, '127.0.0.1')
    cleanups.push(() => silent.destroy())
    await once(silent, 'connect')
    const started = Date.now()
    await once(silent, 'close')
    expect(Date.now() - started).toBeLessThan(5_000)
    const [error] = await timedOut
    expect(error).toMatchObject({ code: 'ERR_TLS_HANDSHAKE_TIMEOUT' })
  })

  it('switches new connections to reloaded files while old ones keep working', async () => {
    const files = await certificateDir()
    const ca = await readFile(files.caCertFile)
    const store = await openStore({ dir: files.dir }, { watch: false })
    const { port } = await serve(store)
    const old = await client(port, ca)
    const oldFingerprint = old.getPeerCertificate().fingerprint256

    const renewed = await writeCertificateFiles(files.dir, {
      hosts,
      force: true,
    })
    const result = await store.reload()
    expect(result).toMatchObject({ ok: true })
    expect(store.certificate.fingerprint256).toBe(
      renewed.certificate.fingerprint256,
    )
    const fresh = await client(port, ca)
    expect(fresh.getPeerCertificate().fingerprint256).toBe(
      renewed.certificate.fingerprint256,
    )
    expect(fresh.getPeerCertificate().fingerprint256).not.toBe(oldFingerprint)
    expect(await echoes(old, 'still here')).toBe('still here')
  })

  it('keeps the old certificate when the replacement is corrupt', async () => {
    const files = await certificateDir()
    const ca = await readFile(files.caCertFile)
    const store = await openStore({ dir: files.dir }, { watch: false })
    const { port } = await serve(store)
    const before = store.certificate.fingerprint256
    const failed = once(store, 'reloadFailed')

    await writeFile(files.certFile, '-----BEGIN CERTIFICATE-----\nnope\n')
    const result = await store.reload()
    expect(result.ok).toBe(false)
    expect(result.ok ? undefined : result.error.code).toBe(
      PortcullisErrorCode.TLS,
    )
    const [error] = await failed
    expect(error).toMatchObject({ code: PortcullisErrorCode.TLS })
    const socket = await client(port, ca)
    expect(socket.getPeerCertificate().fingerprint256).toBe(before)
    expect(store.certificate.fingerprint256).toBe(before)
  })

  it('reloads by itself when the watched files change', async () => {
    const files = await certificateDir()
    const store = await openStore(
      { certFile: files.certFile, keyFile: files.keyFile },
      { watchIntervalMs: 20, reloadDebounceMs: 20 },
    )
    const reloaded = once(store, 'reload')

    const other = await certificateDir()
    await copyFile(other.keyFile, files.keyFile)
    await copyFile(other.certFile, files.certFile)
    const [certificate] = (await reloaded) as [CertificateSummary]
    expect(certificate.fingerprint256).toBe(other.certificate.fingerprint256)
  })

  it('loads a PKCS#12 bundle with its passphrase', async () => {
    const dir = await dirs.make()
    const files = await writeCertificateFiles(dir, {
      hosts,
      keyType: 'rsa',
      rsaBits: 2048,
      pkcs12Password: 'sesame',
    })
    const store = await openStore(
      { pfxFile: files.pfxFile!, passphrase: 'sesame' },
      { watch: false },
    )
    const { port } = await serve(store)

    const socket = await client(port, await readFile(files.caCertFile))
    expect(socket.getPeerCertificate().fingerprint256).toBe(
      files.certificate.fingerprint256,
    )
    await expect(
      TlsContextStore.open(
        { pfxFile: files.pfxFile!, passphrase: 'wrong' },
        { watch: false },
      ),
    ).rejects.toMatchObject({ code: PortcullisErrorCode.TLS })
  })

  it('refuses to open with a key that does not match the certificate', async () => {
    const first = await certificateDir()
    const second = await certificateDir()

    await expect(
      TlsContextStore.open(
        { certFile: first.certFile, keyFile: second.keyFile },
        { watch: false },
      ),
    ).rejects.toMatchObject({ code: PortcullisErrorCode.TLS })
    await expect(
      TlsContextStore.open({ dir: join(first.dir, 'missing') }),
    ).rejects.toMatchObject({ code: PortcullisErrorCode.TLS })
  })

  it('counts whole days until expiry on the injected clock', async () => {
    const dir = await dirs.make()
    const now = new Date('2030-01-01T00:00:00Z')
    await writeCertificateFiles(dir, { hosts, validityDays: 20, now })
    let clockMs = now.getTime()
    const store = await openStore(
      { dir },
      { watch: false, clock: () => clockMs },
    )

    expect(store.daysUntilExpiry()).toBe(20)
    clockMs += 7 * 86_400_000 + 1
    expect(store.daysUntilExpiry()).toBe(12)
    clockMs += 14 * 86_400_000
    expect(store.daysUntilExpiry()).toBe(-2)
  })
})
