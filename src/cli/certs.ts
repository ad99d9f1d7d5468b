import { parseArgs } from 'node:util'
import {
  PortcullisError,
  PortcullisErrorCode,
} from '../codec/portcullis-error.js'
import {
  type CertificateSummary,
  inspectCertificateFile,
  KeyType,
  MAX_SERVER_VALIDITY_DAYS,
  RSA_KEY_BITS,
  type RsaKeyBits,
  splitHostNames,
  writeCertificateFiles,
} from '../tls/index.js'

/** Exit codes of `portcullis certs`. */
export const CertsExitCode = {
  OK: 0,
  FAILED: 1,
  USAGE: 2,
} as const

const maxDays = MAX_SERVER_VALIDITY_DAYS
const rsaBitsList = RSA_KEY_BITS.join('|')

const usage = `Usage:
  portcullis certs --out DIR --hosts NAME[,NAME...] [options]
  portcullis certs --inspect FILE [--p12-password P]

Makes a private CA (ca.pem, ca-key.pem; 10 years) and a server certificate
signed by it (server.pem, server-key.pem) in DIR. A CA already in DIR is
reused, so clients that trust its ca.pem keep working.

Options:
  --out DIR            directory to write the files into
  --hosts LIST         comma-separated DNS names and IP addresses
  --days N             server cert validity, 1-${maxDays} (default ${maxDays})
  --key ec|rsa         key kind (default ec: ECDSA P-256)
  --rsa-bits N         ${rsaBitsList}, with --key rsa (default 3072)
  --p12-password P     also write server.p12 protected by P
  --force              replace existing server files
  --inspect FILE       show a PEM, DER or PKCS#12 certificate file
  -h, --help           show this help
`

const options = {
  out: { type: 'string' },
  hosts: { type: 'string' },
  days: { type: 'string' },
  key: { type: 'string' },
  'rsa-bits': { type: 'string' },
  'p12-password': { type: 'string' },
  force: { type: 'boolean' },
  inspect: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const

type CertsArgs = ReturnType<typeof parseArgs<{ options: typeof options }>>

/** A mistake on the command line, reported with the usage hint. */
class UsageError extends Error {}

/**
 * Runs `portcullis certs` with the arguments after `certs` and returns the
 * exit code: 0 done, 1 failed, 2 bad command line.
 */
export async function runCerts(argv: string[]): Promise<number> {
  try {
    const { values } = parseArgs({ args: argv, options, strict: true })
    if (values.help === true) {
      console.log(usage)
      return CertsExitCode.OK
    }
    return values.inspect === undefined
      ? await generate(values)
      : await inspect(values.inspect, values)
  } catch (error) {
    return report(error)
  }
}

async function generate(values: CertsArgs['values']): Promise<number> {
  const out = required(values.out, '--out DIR')
  const hosts = required(values.hosts, '--hosts LIST')
    .split(',')
    .map((host) => host.trim())
    .filter((host) => host.length > 0)
  if (hosts.length === 0) throw new UsageError('--hosts names no host')
  splitHostNames(hosts, '--hosts')
  const keyType = parseKeyType(values.key)
  const rsaBits = parseRsaBits(values['rsa-bits'], keyType)
  const password = values['p12-password']
  if (password === '') {
    throw new UsageError('--p12-password must not be empty')
  }

  const files = await writeCertificateFiles(out, {
    hosts,
    keyType,
    force: values.force === true,
    ...(values.days === undefined ? {} : { validityDays: days(values.days) }),
    ...(rsaBits === undefined ? {} : { rsaBits }),
    ...(password === undefined ? {} : { pkcs12Password: password }),
  })

  console.log(
    files.reusedCa
      ? `reused the CA in ${files.caCertFile}`
      : `wrote ${files.caCertFile} and ${files.caKeyFile} (new CA)`,
  )
  console.log(`wrote ${files.certFile} and ${files.keyFile}`)
  if (files.pfxFile !== undefined) console.log(`wrote ${files.pfxFile}`)
  console.log('')
  printSummary(files.certificate)
  console.log('')
  console.log(
    `Clients trust ${files.caCertFile}; keep ${files.caKeyFile} secret.`,
  )
  return CertsExitCode.OK
}

async function inspect(
  file: string,
  values: CertsArgs['values'],
): Promise<number> {
  for (const flag of ['out', 'hosts', 'days', 'key', 'rsa-bits'] as const) {
    if (values[flag] !== undefined) {
      throw new UsageError(`--${flag} cannot be combined with --inspect`)
    }
  }

  const summaries = await inspectCertificateFile(file, values['p12-password'])
  summaries.forEach((summary, index) => {
    if (index > 0) console.log('')
    printSummary(summary)
  })
  return CertsExitCode.OK
}

function printSummary(summary: CertificateSummary): void {
  const rows: [string, string][] = [
    ['subject', summary.subject],
    ['SANs', summary.subjectAltNames.join(', ') || '(none)'],
    ['issuer', summary.issuer],
    ['not before', summary.notBefore.toISOString()],
    ['not after', summary.notAfter.toISOString()],
    ['SHA-256', summary.fingerprint256],
    ['serial', summary.serialNumber],
    ['CA', summary.isCa ? 'yes' : 'no'],
  ]
  for (const [label, value] of rows) {
    console.log(`${`${label}:`.padEnd(12)}${value}`)
  }
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value.length === 0) {
    throw new UsageError(`${flag} is required (or --inspect FILE)`)
  }
  return value
}

function days(value: string): number {
  const parsed = /^\d+$/.test(value) ? Number(value) : Number.NaN
  if (!(parsed >= 1 && parsed <= MAX_SERVER_VALIDITY_DAYS)) {
    throw new UsageError(
      `--days must be a whole number from 1 to ${MAX_SERVER_VALIDITY_DAYS}, ` +
        `got "${value}"`,
    )
  }
  return parsed
}

function parseKeyType(value: string | undefined): KeyType {
  if (value === undefined) return KeyType.EC
  const known = Object.values(KeyType).find((keyType) => keyType === value)
  if (known === undefined) {
    throw new UsageError(`--key must be ec or rsa, got "${value}"`)
  }
  return known
}

function parseRsaBits(
  value: string | undefined,
  keyType: KeyType,
): RsaKeyBits | undefined {
  if (value === undefined) return undefined
  if (keyType !== KeyType.RSA) {
    throw new UsageError('--rsa-bits needs --key rsa')
  }
  const bits = RSA_KEY_BITS.find((known) => String(known) === value)
  if (bits === undefined) {
    throw new UsageError(
      `--rsa-bits must be ${RSA_KEY_BITS.join(', ')}, got "${value}"`,
    )
  }
  return bits
}

function report(error: unknown): number {
  if (error instanceof UsageError || isParseArgsError(error)) {
    console.error(`portcullis certs: ${(error as Error).message}`)
    console.error("Run 'portcullis certs --help' for usage.")
    return CertsExitCode.USAGE
  }
  if (error instanceof PortcullisError) {
    console.error(`portcullis certs: ${error.message}`)
    if (error.code === PortcullisErrorCode.FILE_EXISTS) {
      console.error('Run again with --force to replace them.')
    }
    return error.code === PortcullisErrorCode.INVALID_OPTION
      ? CertsExitCode.USAGE
      : CertsExitCode.FAILED
  }
  console.error(`portcullis certs: ${String(error)}`)
  return CertsExitCode.FAILED
}

function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')
}
