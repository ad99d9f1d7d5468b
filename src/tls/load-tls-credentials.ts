import { X509Certificate } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  createSecureContext,
  type SecureContext,
  type SecureContextOptions,
} from 'node:tls'
import {
  PortcullisError,
  PortcullisErrorCode,
} from '../codec/portcullis-error.js'
import { CertificateFileName } from './certificate-file-names.js'
import {
  type CertificateSummary,
  summarizeCertificate,
} from './certificate-summary.js'
import { readPkcs12Certificates } from './read-pkcs12-certificates.js'
import { TLS_POLICY } from './tls-policy.js'

/**
 * Where a TLS server's certificate and key come from: a PEM pair, a PKCS#12
 * bundle with its passphrase, or a directory written by `portcullis certs`
 * (its `server.pem` and `server-key.pem`).
 */
export type TlsSource =
  | { readonly certFile: string; readonly keyFile: string }
  | { readonly pfxFile: string; readonly passphrase: string }
  | { readonly dir: string }

/** A loaded certificate and key, ready for new handshakes. */
export interface TlsCredentials {
  readonly context: SecureContext
  /** The options `context` was made from, policy included. */
  readonly contextOptions: Readonly<SecureContextOptions>
  readonly certificate: CertificateSummary
  /** The files read, to watch for changes. */
  readonly files: readonly string[]
}

/**
 * Reads the files of `source` and builds a secure context from them under
 * {@link TLS_POLICY}. Throws TLS when a file is missing or unreadable, the
 * key does not match, or the passphrase is wrong.
 */
export async function loadTlsCredentials(
  source: TlsSource,
): Promise<TlsCredentials> {
  if ('pfxFile' in source) return loadPkcs12(source.pfxFile, source.passphrase)
  if ('dir' in source) {
    return loadPem(
      join(source.dir, CertificateFileName.SERVER_CERT),
      join(source.dir, CertificateFileName.SERVER_KEY),
    )
  }
  return loadPem(source.certFile, source.keyFile)
}

async function loadPem(
  certFile: string,
  keyFile: string,
): Promise<TlsCredentials> {
  const [cert, key] = await Promise.all([read(certFile), read(keyFile)])
  const contextOptions = Object.freeze({ ...TLS_POLICY, cert, key })
  const context = build(contextOptions, `${certFile} and ${keyFile}`)

  return {
    context,
    contextOptions,
    certificate: summarizeCertificate(new X509Certificate(cert)),
    files: [certFile, keyFile],
  }
}

async function loadPkcs12(
  pfxFile: string,
  passphrase: string,
): Promise<TlsCredentials> {
  const pfx = await read(pfxFile)
  const contextOptions = Object.freeze({ ...TLS_POLICY, pfx, passphrase })
  const context = build(contextOptions, pfxFile)

  return {
    context,
    contextOptions,
    certificate: summarizeCertificate(
      await servedCertificate(pfx, passphrase, pfxFile, context),
    ),
    files: [pfxFile],
  }
}

// OpenSSL has accepted the bundle by now. pkijs reads PBES2 bundles only,
// so for older ciphers fall back on Node's internal accessor of the
// certificate the context serves.
async function servedCertificate(
  pfx: Buffer,
  passphrase: string,
  pfxFile: string,
  context: SecureContext,
): Promise<X509Certificate> {
  try {
    const [leaf] = await readPkcs12Certificates(pfx, passphrase, pfxFile)
    return leaf!
  } catch (error) {
    const native = (
      context as { context?: { getCertificate?: () => Buffer | null } }
    ).context
    const der = native?.getCertificate?.()
    if (der == null) throw error
    return new X509Certificate(der)
  }
}

function build(options: SecureContextOptions, what: string): SecureContext {
  try {
    return createSecureContext(options)
  } catch (cause) {
    throw new PortcullisError(
      PortcullisErrorCode.TLS,
      `cannot make a TLS context from ${what}: ${messageOf(cause)}`,
      { cause },
    )
  }
}

async function read(file: string): Promise<Buffer> {
  try {
    return await readFile(file)
  } catch (cause) {
    throw new PortcullisError(
      PortcullisErrorCode.TLS,
      `${file} cannot be read`,
      { cause },
    )
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
