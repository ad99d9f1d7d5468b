import {
  createPrivateKey,
  X509Certificate as NodeX509Certificate,
} from 'node:crypto'
import {
  PortcullisError,
  PortcullisErrorCode,
} from '../codec/portcullis-error.js'
import {
  checkValidityDays,
  randomSerialNumber,
  validityWindow,
} from './certificate-validity.js'
import type { PemCredentials } from './create-certificate-authority.js'
import { splitHostNames } from './host-names.js'
import {
  exportPrivateKeyPem,
  generateKeyPair,
  importSigningKey,
  KeyType,
  type RsaKeyBits,
  signingAlgorithmFor,
} from './key-pairs.js'
import { loadX509 } from './x509-library.js'

/** Options of {@link createServerCertificate}. */
export interface ServerCertificateOptions {
  /** DNS names and IP addresses the certificate is for; the first is CN. */
  readonly hosts: readonly string[]
  /** Days the certificate stays valid, 1 to 825. Default 825. */
  readonly validityDays?: number
  /** Kind of server key. Default `ec` (ECDSA P-256). */
  readonly keyType?: KeyType
  /** RSA modulus size in bits when `keyType` is `rsa`. Default 3072. */
  readonly rsaBits?: RsaKeyBits
  /** The time the certificate is made at. Default now. */
  readonly now?: Date
}

/**
 * Default and longest life of a server certificate, in days: Apple platforms
 * reject TLS server certificates valid for longer, even from private CAs.
 */
export const MAX_SERVER_VALIDITY_DAYS = 825

/**
 * Makes a TLS server certificate for `hosts`, signed by `ca`, with a fresh
 * key. Throws INVALID_OPTION for bad options and TLS when the CA cannot sign
 * it (not a CA, key mismatch, or the CA ends before the certificate would).
 */
export async function createServerCertificate(
  ca: PemCredentials,
  options: ServerCertificateOptions,
): Promise<PemCredentials> {
  const hosts = splitHostNames(options.hosts)
  const validityDays = checkValidityDays(
    options.validityDays ?? MAX_SERVER_VALIDITY_DAYS,
    'validityDays',
    MAX_SERVER_VALIDITY_DAYS,
  )
  const window = validityWindow(options.now ?? new Date(), validityDays)
  checkCa(ca, window.notAfter)

  const x509 = await loadX509()
  const caCertificate = new x509.X509Certificate(ca.certPem)
  const caKey = await importSigningKey(ca.keyPem, 'the CA key')
  const keys = await generateKeyPair(
    options.keyType ?? KeyType.EC,
    options.rsaBits ?? 3072,
  )
  const caKeyId = caCertificate.getExtension(
    x509.SubjectKeyIdentifierExtension,
  )?.keyId
  const authorityKeyId =
    caKeyId === undefined
      ? await x509.AuthorityKeyIdentifierExtension.create(
          caCertificate.publicKey,
        )
      : new x509.AuthorityKeyIdentifierExtension(caKeyId)
  // RSA keys may also carry the session key in TLS 1.2 RSA key exchange.
  const keyUsages =
    options.keyType === KeyType.RSA
      ? x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment
      : x509.KeyUsageFlags.digitalSignature
  const commonName = hosts.dnsNames[0] ?? hosts.ipAddresses[0]!

  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialNumber(),
    subject: [{ CN: [commonName] }, { O: ['Portcullis'] }],
    issuer: caCertificate.subjectName,
    ...window,
    publicKey: keys.publicKey,
    signingKey: caKey,
    signingAlgorithm: signingAlgorithmFor(caKey),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(keyUsages, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        ...hosts.dnsNames.map((value) => ({ type: 'dns' as const, value })),
        ...hosts.ipAddresses.map((value) => ({ type: 'ip' as const, value })),
      ]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      authorityKeyId,
    ],
  })

  return {
    certPem: certificate.toString('pem'),
    keyPem: await exportPrivateKeyPem(keys.privateKey),
  }
}

function checkCa(ca: PemCredentials, notAfter: Date): void {
  let caCertificate: NodeX509Certificate
  try {
    caCertificate = new NodeX509Certificate(ca.certPem)
  } catch (cause) {
    throw new PortcullisError(
      PortcullisErrorCode.TLS,
      'the CA certificate is not a readable PEM certificate',
      { cause },
    )
  }

  if (!caCertificate.ca) {
    throw new PortcullisError(
      PortcullisErrorCode.TLS,
      `the CA certificate (${caCertificate.subject}) may not sign others`,
    )
  }
  if (!keyMatches(caCertificate, ca.keyPem)) {
    throw new PortcullisError(
      PortcullisErrorCode.TLS,
      'the CA key does not belong to the CA certificate',
    )
  }
  const caNotAfter = new Date(caCertificate.validTo)
  if (caNotAfter < notAfter) {
    throw new PortcullisError(
      PortcullisErrorCode.TLS,
      `the CA expires on ${caNotAfter.toISOString()}, before the server ` +
        `certificate would (${notAfter.toISOString()}); make a new CA or ` +
        'ask for fewer days',
    )
  }
}

function keyMatches(certificate: NodeX509Certificate, keyPem: string): boolean {
  try {
    return certificate.checkPrivateKey(createPrivateKey(keyPem))
  } catch {
    return false
  }
}
