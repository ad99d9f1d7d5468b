import { readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { PortcullisErrorCode } from '../../src/codec/portcullis-error.js'
import { writeCertificateFiles } from '../../src/tls/write-certificate-files.js'
import { openssl, TempDirs } from './helpers.js'

const dirs = new TempDirs()
afterEach(() => dirs.cleanup())

const hosts = ['localhost', '127.0.0.1', '::1']

describe('writeCertificateFiles', () => {
  it('writes a server certificate that openssl verifies against ca.pem', async () => {
    const dir = await dirs.make()
    const files = await writeCertificateFiles(dir, { hosts })

    const result = await openssl([
      'verify',
      '-CAfile',
      files.caCertFile,
      '-purpose',
      'sslserver',
      files.certFile,
    ])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(files.reusedCa).toBe(false)
    expect(files.certificate.subjectAltNames).toEqual([
      'DNS:localhost',
      'IP Address:127.0.0.1',
      'IP Address:0:0:0:0:0:0:0:1',
    ])
  })

  it('makes an ECDSA P-256 key by default and RSA keys of the asked size', async () => {
    const ecDir = await dirs.make()
    const rsaDir = await dirs.make()
    const ec = await writeCertificateFiles(ecDir, { hosts })
    const rsa = await writeCertificateFiles(rsaDir, {
      hosts,
      keyType: 'rsa',
      rsaBits: 2048,
    })

    const ecText = await openssl([
      'x509',
      '-in',
      ec.certFile,
      '-noout',
      '-text',
    ])
    const rsaText = await openssl([
      'x509',
      '-in',
      rsa.certFile,
      '-noout',
      '-text',
    ])
    expect(ecText.stdout).toContain('NIST CURVE: P-256')
    expect(ecText.stdout).toContain('TLS Web Server Authentication')
    expect(rsaText.stdout).toContain('Public-Key: (2048 bit)')
    const rsaVerify = await openssl([
      'verify',
      '-CAfile',
      rsa.caCertFile,
      rsa.certFile,
    ])
    expect(rsaVerify.code).toBe(0)
  })

  it('gives the CA ten years, CA:TRUE and keyCertSign', async () => {
    const dir = await dirs.make()
    const now = new Date('2030-01-01T00:00:00Z')
    const files = await writeCertificateFiles(dir, { hosts, now })

    const text = await openssl([
      'x509',
      '-in',
      files.caCertFile,
      '-noout',
      '-text',
      '-enddate',
    ])
    expect(text.stdout).toContain('CA:TRUE')
    expect(text.stdout).toContain('Certificate Sign')
    expect(text.stdout).toContain('notAfter=Dec 30 00:00:00 2039 GMT')
    expect(files.certificate.notAfter.toISOString()).toBe(
      '2032-04-05T00:00:00.000Z',
    )
  })

  for (const keyType of ['ec', 'rsa'] as const) {
    it(`writes a server.p12 that openssl pkcs12 opens for an ${keyType} key`, async () => {
      const dir = await dirs.make()
      const files = await writeCertificateFiles(dir, {
        hosts,
        keyType,
        rsaBits: 2048,
        pkcs12Password: 'correct horse',
      })

      const certs = await openssl([
        'pkcs12',
        '-in',
        files.pfxFile!,
        '-passin',
        'pass:correct horse',
        '-nokeys',
      ])
      expect(certs.code).toBe(0)
      expect(certs.stdout).toContain('subject=CN = localhost')
      const key = await openssl([
        'pkcs12',
        '-in',
        files.pfxFile!,
        '-passin',
        'pass:correct horse',
        '-nocerts',
        '-nodes',
      ])
      expect(key.code).toBe(0)
      expect(key.stdout).toContain('PRIVATE KEY')
      const wrong = await openssl([
        'pkcs12',
        '-in',
        files.pfxFile!,
        '-passin',
        'pass:wrong',
        '-nokeys',
      ])
      expect(wrong.code).not.toBe(0)
    })
  }

  it('writes private keys and the bundle with mode 0600', async () => {
    const dir = await dirs.make()
    const files = await writeCertificateFiles(dir, {
      hosts,
      pkcs12Password: 'pw',
    })

    for (const file of [files.caKeyFile, files.keyFile, files.pfxFile!]) {
      expect((await stat(file)).mode & 0o777).toBe(0o600)
    }
    expect((await stat(files.certFile)).mode & 0o777).toBe(0o644)
  })

  it('refuses to overwrite server files without force', async () => {
    const dir = await dirs.make()
    const first = await writeCertificateFiles(dir, { hosts })
    const before = await readFile(first.certFile, 'utf8')

    await expect(writeCertificateFiles(dir, { hosts })).rejects.toMatchObject({
      code: PortcullisErrorCode.FILE_EXISTS,
    })
    expect(await readFile(first.certFile, 'utf8')).toBe(before)
    const forced = await writeCertificateFiles(dir, { hosts, force: true })
    expect(forced.certificate.fingerprint256).not.toBe(
      first.certificate.fingerprint256,
    )
  })

  it('reuses the CA in the directory to sign a new server certificate', async () => {
    const dir = await dirs.make()
    const first = await writeCertificateFiles(dir, { hosts })
    const caBefore = await readFile(first.caCertFile, 'utf8')

    const second = await writeCertificateFiles(dir, {
      hosts: ['game.example.test'],
      keyType: 'rsa',
      rsaBits: 2048,
      force: true,
    })
    expect(second.reusedCa).toBe(true)
    expect(await readFile(second.caCertFile, 'utf8')).toBe(caBefore)
    const verify = await openssl([
      'verify',
      '-CAfile',
      second.caCertFile,
      second.certFile,
    ])
    expect(verify.code).toBe(0)
    expect(second.certificate.issuer).toBe(first.certificate.issuer)
  })

  it('refuses a CA certificate whose key is missing unless forced', async () => {
    const dir = await dirs.make()
    await writeFile(join(dir, 'ca.pem'), 'left over')

    await expect(writeCertificateFiles(dir, { hosts })).rejects.toMatchObject({
      code: PortcullisErrorCode.FILE_EXISTS,
    })
    const forced = await writeCertificateFiles(dir, { hosts, force: true })
    expect(forced.reusedCa).toBe(false)
  })

  it('rejects malformed host names, too many days and an empty password', async () => {
    const dir = await dirs.make()
    const invalid = { code: PortcullisErrorCode.INVALID_OPTION }

    await expect(
      writeCertificateFiles(dir, { hosts: ['bad_name'] }),
    ).rejects.toMatchObject(invalid)
    await expect(
      writeCertificateFiles(dir, { hosts: [] }),
    ).rejects.toMatchObject(invalid)
    await expect(
      writeCertificateFiles(dir, { hosts, validityDays: 826 }),
    ).rejects.toMatchObject(invalid)
    await expect(
      writeCertificateFiles(dir, { hosts, pkcs12Password: '' }),
    ).rejects.toMatchObject(invalid)
  })
})
