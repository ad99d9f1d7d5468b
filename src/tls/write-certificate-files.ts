import { X509Certificate } from 'node:crypto'
import { access, mkdir, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import {
  PortcullisError,
  PortcullisErrorCode,
} from '../codec/portcullis-error.js'
import { CertificateFileName } from './certificate-file-names.js'
import {
  type CertificateSummary,
  summarizeCertificate,
} from './certificate-summary.js'
import {
  createCertificateAuthority,
  type PemCredentials,
} from './create-certificate-authority.js'
import { createPkcs12Bundle } from './create-pkcs12-bundle.js'
import { createServerCertificate } from './create-server-certificate.js'
import { splitHostNames } from './host-names.js'
import type { KeyType, RsaKeyBits } from './key-pairs.js'
import { writeFileAtomically } from './write-file-atomically.js'

/** Options of {@link writeCertificateFiles}. */
export interface CertificateFilesOptions {
  /** DNS names and IP addresses of the server certificate. */
  readonly hosts: readonly string[]
  /** Days the server certificate stays valid, 1 to 825. Default 825. */
  readonly validityDays?: number
  /** Kind of the new keys. Default `ec` (ECDSA P-256). */
  readonly keyType?: KeyType
  /** RSA modulus size in bits when `keyType` is `rsa`. Default 3072. */
  readonly rsaBits?: RsaKeyBits
  /** When given, also writes `server.p12` protected by this password. */
  readonly pkcs12Password?: string
  /** Replace existing server files. Default false. */
  readonly force?: boolean
  /** The time the certificates are made at. Default now. */
  readonly now?: Date
}

/** What {@link writeCertificateFiles} wrote. */
export interface CertificateFiles {
  readonly caCertFile: string
  readonly caKeyFile: string
  readonly certFile: string
  readonly keyFile: string
  /** The PKCS#12 bundle, when a password was given. */
  readonly pfxFile: string | undefined
  /** Whether an existing CA in the directory signed the certificate. */
  readonly reusedCa: boolean
  /** The new server certificate. */
  readonly certificate: CertificateSummary
}

const certificateMode = 0o644
const privateMode = 0o600

/**
 * Writes a CA and a server certificate signed by it into `dir`: `ca.pem`,
 * `ca-key.pem`, `server.pem`, `server-key.pem` and optionally `server.p12`.
 * A CA already in `dir` is reused. Existing server files are replaced only
 * with `force`, else FILE_EXISTS is thrown before anything is written.
 */
export async function writeCertificateFiles(
  dir: string,
  options: CertificateFilesOptions,
): Promise<CertificateFiles> {
  splitHostNames(options.hosts)
  if (options.pkcs12Password === '') {
    throw new PortcullisError(
      PortcullisErrorCode.INVALID_OPTION,
      'pkcs12Password must not be empty',
    )
  }
  const path = (name: CertificateFileName): string => join(dir, name)
  const caCertFile = path(CertificateFileName.CA_CERT)
  const caKeyFile = path(CertificateFileName.CA_KEY)
  const certFile = path(CertificateFileName.SERVER_CERT)
  const keyFile = path(CertificateFileName.SERVER_KEY)
  const pfxFile = path(CertificateFileName.SERVER_PFX)

  await mkdir(dir, { recursive: true, mode: 0o700 })
  const [hasCaCert, hasCaKey] = await Promise.all(
    [caCertFile, caKeyFile].map(exists),
  )
  const reusedCa = hasCaCert === true && hasCaKey === true
  if (hasCaCert !== hasCaKey && options.force !== true) {
    const [present, missing] = hasCaCert
      ? [caCertFile, caKeyFile]
      : [caKeyFile, caCertFile]
    throw new PortcullisError(
      PortcullisErrorCode.FILE_EXISTS,
      `${present} exists without ${missing}, so the CA cannot be reused; ` +
        'remove it, or use force to make a new CA',
    )
  }
  const taken = await existingFiles([certFile, keyFile, pfxFile])
  if (taken.length > 0 && options.force !== true) {
    throw new PortcullisError(
      PortcullisErrorCode.FILE_EXISTS,
      `${taken.join(', ')} already exist and force is off`,
    )
  }

  const ca = reusedCa
    ? await readCa(caCertFile, caKeyFile)
    : await createCertificateAuthority(caOptions(options))
  const server = await createServerCertificate(ca, {
    hosts: options.hosts,
    ...caOptions(options),
    ...(options.validityDays === undefined
      ? {}
      : { validityDays: options.validityDays }),
  })
  const pfx =
    options.pkcs12Password === undefined
      ? undefined
      : await createPkcs12Bundle({
          ...server,
          chainPems: [ca.certPem],
          password: options.pkcs12Password,
        })

  // Keys go first: a watcher that sees the new certificate finds its key.
  if (!reusedCa) {
    await writeFileAtomically(caKeyFile, ca.keyPem, privateMode)
    await writeFileAtomically(caCertFile, ca.certPem, certificateMode)
  }
  await writeFileAtomically(keyFile, server.keyPem, privateMode)
  await writeFileAtomically(certFile, server.certPem, certificateMode)
  if (pfx === undefined) {
    // A bundle left from before would no longer match server.pem.
    await rm(pfxFile, { force: true })
  } else {
    await writeFileAtomically(pfxFile, pfx, privateMode)
  }

  return {
    caCertFile,
    caKeyFile,
    certFile,
    keyFile,
    pfxFile: pfx === undefined ? undefined : pfxFile,
    reusedCa,
    certificate: summarizeCertificate(new X509Certificate(server.certPem)),
  }
}

function caOptions(options: CertificateFilesOptions): {
  keyType?: KeyType
  rsaBits?: RsaKeyBits
  now?: Date
} {
  return {
    ...(options.keyType === undefined ? {} : { keyType: options.keyType }),
    ...(options.rsaBits === undefined ? {} : { rsaBits: options.rsaBits }),
    ...(options.now === undefined ? {} : { now: options.now }),
  }
}

async function readCa(
  caCertFile: string,
  caKeyFile: string,
): Promise<PemCredentials> {
  const [certPem, keyPem] = await Promise.all([
    readFile(caCertFile, 'utf8'),
    readFile(caKeyFile, 'utf8'),
  ])
  return { certPem, keyPem }
}

async function existingFiles(files: readonly string[]): Promise<string[]> {
  const found = await Promise.all(files.map(exists))
  return files.filter((_, index) => found[index])
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file)
    return true
  } catch {
    return false
  }
}
