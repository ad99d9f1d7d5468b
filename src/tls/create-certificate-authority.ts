import { randomBytes } from 'node:crypto'
import {
  checkValidityDays,
  randomSerialNumber,
  validityWindow,
} from './certificate-validity.js'
import {
  exportPrivateKeyPem,
  generateKeyPair,
  KeyType,
  type RsaKeyBits,
  signingAlgorithmFor,
} from './key-pairs.js'
import { loadX509 } from './x509-library.js'

/** A certificate and its private key, both PEM. */
export interface PemCredentials {
  readonly certPem: string
  readonly keyPem: string
}

/** Options of {@link createCertificateAuthority}. */
export interface CertificateAuthorityOptions {
  /** Kind of CA key. Default `ec` (ECDSA P-256). */
  readonly keyType?: KeyType
  /** RSA modulus size in bits when `keyType` is `rsa`. Default 3072. */
  readonly rsaBits?: RsaKeyBits
  /** Days the CA stays valid, 1 to 7300. Default 3650 (10 years). */
  readonly validityDays?: number
  /** Common name. Default `Portcullis Private CA` and a random tag. */
  readonly commonName?: string
  /** The time the CA is made at. Default now. */
  readonly now?: Date
}

/** Default life of a private CA, in days. */
export const DEFAULT_CA_VALIDITY_DAYS = 3650

const maxCaValidityDays = 7300

/**
 * Makes a private certificate authority: a self-signed certificate that may
 * sign server certificates (and no further CAs), with a fresh key.
 */
export async function createCertificateAuthority(
  options: CertificateAuthorityOptions = {},
): Promise<PemCredentials> {
  const validityDays = checkValidityDays(
    options.validityDays ?? DEFAULT_CA_VALIDITY_DAYS,
    'validityDays',
    maxCaValidityDays,
  )
  // The tag tells apart the CAs of several machines in a trust store.
  const commonName =
    options.commonName ??
    `Portcullis Private CA ${randomBytes(4).toString('hex')}`

  const x509 = await loadX509()
  const keys = await generateKeyPair(
    options.keyType ?? KeyType.EC,
    options.rsaBits ?? 3072,
  )
  const name = [{ CN: [commonName] }, { O: ['Portcullis'] }]
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialNumber(),
    subject: name,
    issuer: name,
    ...validityWindow(options.now ?? new Date(), validityDays),
    publicKey: keys.publicKey,
    signingKey: keys.privateKey,
    signingAlgorithm: signingAlgorithmFor(keys.privateKey),
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  })

  return {
    certPem: certificate.toString('pem'),
    keyPem: await exportPrivateKeyPem(keys.privateKey),
  }
}
