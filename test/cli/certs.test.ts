import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { runCerts } from '../../src/cli/certs.js'
import { openssl, TempDirs } from '../tls/helpers.js'

const dirs = new TempDirs()
let output: string[] = []

beforeEach(() => {
  output = []
  const capture = (...args: unknown[]): void => {
    output.push(args.join(' '))
  }
  vi.spyOn(console, 'log').mockImplementation(capture)
  vi.spyOn(console, 'error').mockImplementation(capture)
})

afterEach(async () => {
  vi.restoreAllMocks()
  await dirs.cleanup()
})

describe('portcullis certs', () => {
  it('writes the certificate set and a P12 bundle', async () => {
    const out = await dirs.make()

    const code = await runCerts([
      '--out',
      out,
      '--hosts',
      'localhost,127.0.0.1',
      '--key',
      'rsa',
      '--rsa-bits',
      '2048',
      '--days',
      '30',
      '--p12-password',
      'pw',
    ])
    expect(code).toBe(0)
    const verify = await openssl([
      'verify',
      '-CAfile',
      join(out, 'ca.pem'),
      join(out, 'server.pem'),
    ])
    expect(verify.code).toBe(0)
    expect((await stat(join(out, 'server.p12'))).mode & 0o777).toBe(0o600)
    expect(output.join('\n')).toContain('IP Address:127.0.0.1')
  })

  it('refuses to overwrite without --force and replaces with it', async () => {
    const out = await dirs.make()
    const args = ['--out', out, '--hosts', 'localhost']
    await runCerts(args)
    const before = await readFile(join(out, 'server.pem'), 'utf8')

    expect(await runCerts(args)).toBe(1)
    expect(output.join('\n')).toContain('--force')
    expect(await readFile(join(out, 'server.pem'), 'utf8')).toBe(before)
    expect(await runCerts([...args, '--force'])).toBe(0)
    expect(await readFile(join(out, 'server.pem'), 'utf8')).not.toBe(before)
  })

  it('inspects a P12 file with its password', async () => {
    const out = await dirs.make()
    await runCerts([
      '--out',
      out,
      '--hosts',
      'localhost',
      '--p12-password',
      'pw',
    ])
    output = []

    const code = await runCerts([
      '--inspect',
      join(out, 'server.p12'),
      '--p12-password',
      'pw',
    ])
    expect(code).toBe(0)
    const text = output.join('\n')
    expect(text).toContain('subject:    CN=localhost, O=Portcullis')
    expect(text).toContain('SANs:       DNS:localhost')
    expect(text).toMatch(/SHA-256: {4}([0-9A-F]{2}:){31}[0-9A-F]{2}/)
  })

  it('exits 2 naming the flag for bad command lines', async () => {
    const cases: [string[], string][] = [
      [['--hosts', 'localhost'], '--out'],
      [['--out', 'x'], '--hosts'],
      [['--out', 'x', '--hosts', 'bad_host'], '--hosts'],
      [['--out', 'x', '--hosts', 'a', '--days', '900'], '--days'],
      [['--out', 'x', '--hosts', 'a', '--key', 'dsa'], '--key'],
      [['--out', 'x', '--hosts', 'a', '--rsa-bits', '2048'], '--rsa-bits'],
      [
        ['--out', 'x', '--hosts', 'a', '--key', 'rsa', '--rsa-bits', '1024'],
        '--rsa-bits',
      ],
      [['--inspect', 'f', '--out', 'x'], '--out'],
      [['--bogus'], '--bogus'],
    ]

    for (const [args, flag] of cases) {
      output = []
      expect(await runCerts(args)).toBe(2)
      expect(output.join('\n')).toContain(flag)
    }
  })

  it('prints usage for --help', async () => {
    expect(await runCerts(['--help'])).toBe(0)
    expect(output.join('\n')).toContain('portcullis certs --inspect FILE')
  })
})
