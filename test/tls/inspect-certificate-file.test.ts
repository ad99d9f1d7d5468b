import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { PortcullisErrorCode } from '../../src/codec/portcullis-error.js'
import { inspectCertificateFile } from '../../src/tls/inspect-certificate-file.js'
import { writeCertificateFiles } from '../../src/tls/write-certificate-files.js'
import { openssl, TempDirs } from './helpers.js'

const dirs = new TempDirs()
afterEach(() => dirs.cleanup())

describe('inspectCertificateFile', () => {
  it('describes a PEM certificate as openssl does', async () => {
    const dir = await dirs.make()
    const now = new Date('2031-06-01T12:00:00Z')
    const files = await writeCertificateFiles(dir, {
      hosts: ['play.example.test', '10.0.0.7'],
      validityDays: 90,
      now,
    })

    const [summary, ...rest] = await inspectCertificateFile(files.certFile)
    const fingerprint = await openssl([
      'x509',
      '-in',
      files.certFile,
      '-noout',
      '-fingerprint',
      '-sha256',
    ])
    expect(rest).toEqual([])
    expect(summary).toMatchObject({
      subject: 'CN=play.example.test, O=Portcullis',
      subjectAltNames: ['DNS:play.example.test', 'IP Address:10.0.0.7'],
      notAfter: new Date('2031-08-30T12:00:00Z'),
      isCa: false,
    })
    expect(summary?.notBefore.getTime()).toBeLessThan(now.getTime())
    expect(summary?.issuer).toMatch(/^CN=Portcullis Private CA [0-9a-f]{8}/)
    expect(fingerprint.stdout.trim()).toBe(
      `sha256 Fingerprint=${summary?.fingerprint256}`,
    )
  })

  it('reads the server and CA certificates of a P12 file with its password', async () => {
    const dir = await dirs.make()
    const files = await writeCertificateFiles(dir, {
      hosts: ['localhost'],
      pkcs12Password: 'sesame',
    })

    const summaries = await inspectCertificateFile(files.pfxFile!, 'sesame')
    expect(summaries.map((summary) => summary.fingerprint256)).toEqual([
      files.certificate.fingerprint256,
      (await inspectCertificateFile(files.caCertFile))[0]?.fingerprint256,
    ])
    expect(summaries[1]?.isCa).toBe(true)
  })

  it('reads a P12 file written by openssl itself', async () => {
    const dir = await dirs.make()
    const files = await writeCertificateFiles(dir, { hosts: ['localhost'] })
    const p12 = join(dir, 'openssl.p12')
    const exported = await openssl([
      'pkcs12',
      '-export',
      '-in',
      files.certFile,
      '-inkey',
      files.keyFile,
      '-out',
      p12,
      '-passout',
      'pass:sesame',
    ])
    expect(exported.code).toBe(0)

    const [summary] = await inspectCertificateFile(p12, 'sesame')
    expect(summary?.fingerprint256).toBe(files.certificate.fingerprint256)
  })

  it('fails with TLS for a wrong password, a key file and garbage', async () => {
    const dir = await dirs.make()
    const files = await writeCertificateFiles(dir, {
      hosts: ['localhost'],
      pkcs12Password: 'sesame',
    })
    const garbage = join(dir, 'garbage.bin')
    await writeFile(garbage, (await readFile(files.pfxFile!)).subarray(0, 40))
    const tls = { code: PortcullisErrorCode.TLS }

    await expect(
      inspectCertificateFile(files.pfxFile!, 'wrong'),
    ).rejects.toMatchObject(tls)
    await expect(inspectCertificateFile(files.pfxFile!)).rejects.toMatchObject(
      tls,
    )
    await expect(inspectCertificateFile(files.keyFile)).rejects.toMatchObject(
      tls,
    )
    await expect(
      inspectCertificateFile(garbage, 'sesame'),
    ).rejects.toMatchObject(tls)
    await expect(
      inspectCertificateFile(join(dir, 'missing.pem')),
    ).rejects.toMatchObject(tls)
  })
})
