import { X509Certificate } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { CertificateFileName } from './certificate-file-names.js'
import {
  type CertificateSummary,
  daysUntil,
  summarizeCertificate,
} from './certificate-summary.js'
import { splitHostNames } from './host-names.js'
import type { TlsSource } from './load-tls-credentials.js'
import { writeCertificateFiles } from './write-certificate-files.js'

/** Options of {@link ensureSelfSigned}. */
export interface SelfSignedOptions {
  /**
   * Make a new server certificate when the old one ends within this many
   * days. Default 30.
   */
  readonly renewWithinDays?: number
  /** The machine's name, added to the certificate. Default `os.hostname()`. */
  readonly hostName?: string
  /** The current time. Default now. */
  readonly now?: Date
}

/** What {@link ensureSelfSigned} found or made. */
export interface SelfSignedCertificate {
  /** The directory holding `ca.pem`, `server.pem` and their keys. */
  readonly dir: string
  /** Source for {@link TlsContextStore.open}. */
  readonly source: TlsSource
  /** Whether a new server certificate was written. */
  readonly created: boolean
  readonly certificate: CertificateSummary
}

/** Folder inside the data directory that holds the self-signed set. */
export const SELF_SIGNED_DIR = 'tls'

/**
 * Finds the private CA and server certificate kept in `dataDir/tls`, or
 * makes them on first use for localhost, 127.0.0.1, ::1 and the host name.
 * A server certificate close to its end is replaced, signed by the same CA,
 * so clients that trust `ca.pem` keep working.
 */
export async function ensureSelfSigned(
  dataDir: string,
  options: SelfSignedOptions = {},
): Promise<SelfSignedCertificate> {
  const dir = join(dataDir, SELF_SIGNED_DIR)
  const source = { dir }
  const now = options.now ?? new Date()

  const existing = await readServerCertificate(dir)
  const renewWithinDays = options.renewWithinDays ?? 30
  if (
    existing !== undefined &&
    daysUntil(existing.notAfter, now.getTime()) >= renewWithinDays
  ) {
    return { dir, source, created: false, certificate: existing }
  }

  const written = await writeCertificateFiles(dir, {
    hosts: selfSignedHosts(options.hostName ?? hostname()),
    force: true,
    now,
  })
  return { dir, source, created: true, certificate: written.certificate }
}

function selfSignedHosts(machineName: string): string[] {
  const hosts = ['localhost', '127.0.0.1', '::1']
  try {
    // A host name that is no valid DNS name is left out, not fatal.
    hosts.push(...splitHostNames([machineName]).dnsNames)
  } catch {}
  return hosts
}

async function readServerCertificate(
  dir: string,
): Promise<CertificateSummary | undefined> {
  try {
    const [pem] = await Promise.all([
      readFile(join(dir, CertificateFileName.SERVER_CERT)),
      readFile(join(dir, CertificateFileName.SERVER_KEY)),
    ])
    return summarizeCertificate(new X509Certificate(pem))
  } catch {
    return undefined
  }
}
