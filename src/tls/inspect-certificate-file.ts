import { X509Certificate } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import {
  PortcullisError,
  PortcullisErrorCode,
} from '../codec/portcullis-error.js'
import {
  type CertificateSummary,
  summarizeCertificate,
} from './certificate-summary.js'
import { readPkcs12Certificates } from './read-pkcs12-certificates.js'

const pemCertificate =
  /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g

/**
 * Describes the certificates in a PEM, DER or PKCS#12 file, in file order
 * (for PKCS#12: end-entity first). PKCS#12 needs `password`. Throws TLS when
 * the file holds no readable certificate.
 */
export async function inspectCertificateFile(
  file: string,
  password?: string,
): Promise<CertificateSummary[]> {
  let content: Buffer
  try {
    content = await readFile(file)
  } catch (cause) {
    throw new PortcullisError(
      PortcullisErrorCode.TLS,
      `${file} cannot be read`,
      { cause },
    )
  }

  return (await readCertificates(content, file, password)).map(
    summarizeCertificate,
  )
}

async function readCertificates(
  content: Buffer,
  file: string,
  password: string | undefined,
): Promise<X509Certificate[]> {
  const text = content.toString('latin1')
  if (text.includes('-----BEGIN ')) {
    const blocks = text.match(pemCertificate) ?? []
    if (blocks.length === 0) {
      throw new PortcullisError(
        PortcullisErrorCode.TLS,
        `${file} is PEM but holds no certificate`,
      )
    }
    return blocks.map((block) => parse(() => new X509Certificate(block), file))
  }

  try {
    return [new X509Certificate(content)]
  } catch {
    // Not a DER certificate: PKCS#12 is the one binary form left.
  }
  if (password === undefined) {
    throw new PortcullisError(
      PortcullisErrorCode.TLS,
      `${file} is neither PEM nor a DER certificate; if it is PKCS#12, ` +
        'give its password',
    )
  }
  return readPkcs12Certificates(content, password, file)
}

function parse(read: () => X509Certificate, file: string): X509Certificate {
  try {
    return read()
  } catch (cause) {
    throw new PortcullisError(
      PortcullisErrorCode.TLS,
      `${file} holds a certificate that cannot be parsed`,
      { cause },
    )
  }
}
