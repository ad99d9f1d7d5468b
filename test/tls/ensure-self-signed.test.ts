import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ensureSelfSigned } from '../../src/tls/ensure-self-signed.js'
import { openssl, TempDirs } from './helpers.js'

const dirs = new TempDirs()
afterEach(() => dirs.cleanup())

describe('ensureSelfSigned', () => {
  it('makes a CA and a server certificate for the local names on first use', async () => {
    const dataDir = await dirs.make()

    const made = await ensureSelfSigned(dataDir, { hostName: 'Game-Box' })
    expect(made.created).toBe(true)
    expect(made.dir).toBe(join(dataDir, 'tls'))
    expect(made.certificate.subjectAltNames).toEqual([
      'DNS:localhost',
      'DNS:game-box',
      'IP Address:127.0.0.1',
      'IP Address:0:0:0:0:0:0:0:1',
    ])
    const verify = await openssl([
      'verify',
      '-CAfile',
      join(made.dir, 'ca.pem'),
      join(made.dir, 'server.pem'),
    ])
    expect(verify.code).toBe(0)
  })

  it('reuses the stored certificate on later starts', async () => {
    const dataDir = await dirs.make()
    const first = await ensureSelfSigned(dataDir)

    const second = await ensureSelfSigned(dataDir)
    expect(second.created).toBe(false)
    expect(second.certificate.fingerprint256).toBe(
      first.certificate.fingerprint256,
    )
  })

  it('renews a server certificate near its end with the same CA', async () => {
    const dataDir = await dirs.make()
    const first = await ensureSelfSigned(dataDir)
    const caBefore = await readFile(join(first.dir, 'ca.pem'), 'utf8')
    const later = new Date(first.certificate.notAfter.getTime() - 86_400_000)

    const renewed = await ensureSelfSigned(dataDir, { now: later })
    expect(renewed.created).toBe(true)
    expect(renewed.certificate.fingerprint256).not.toBe(
      first.certificate.fingerprint256,
    )
    expect(await readFile(join(first.dir, 'ca.pem'), 'utf8')).toBe(caBefore)
  })

  it('leaves out a machine name that is no DNS name', async () => {
    const dataDir = await dirs.make()

    const made = await ensureSelfSigned(dataDir, { hostName: 'my_box' })
    expect(made.certificate.subjectAltNames).not.toContain('DNS:my_box')
  })
})
