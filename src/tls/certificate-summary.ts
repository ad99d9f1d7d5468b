import type { X509Certificate } from 'node:crypto'

/** What `portcullis certs --inspect` shows about one certificate. */
export interface CertificateSummary {
  /** Distinguished name, `CN=…, O=…`. */
  readonly subject: string
  /** Distinguished name of the signer. */
  readonly issuer: string
  /** subjectAltName entries, `DNS:localhost`, `IP Address:127.0.0.1`. */
  readonly subjectAltNames: readonly string[]
  readonly notBefore: Date
  readonly notAfter: Date
  /** SHA-256 of the DER certificate, colon-separated upper-case hex. */
  readonly fingerprint256: string
  /** Serial number in upper-case hex. */
  readonly serialNumber: string
  /** Whether the certificate may sign others. */
  readonly isCa: boolean
}

/** Reads the facts of a parsed certificate into a plain object. */
export function summarizeCertificate(
  certificate: X509Certificate,
): CertificateSummary {
  return Object.freeze({
    subject: oneLine(certificate.subject),
    issuer: oneLine(certificate.issuer),
    subjectAltNames: Object.freeze(
      (certificate.subjectAltName ?? '')
        .split(', ')
        .filter((entry) => entry.length > 0),
    ),
    notBefore: new Date(certificate.validFrom),
    notAfter: new Date(certificate.validTo),
    fingerprint256: certificate.fingerprint256,
    serialNumber: certificate.serialNumber,
    isCa: certificate.ca,
  })
}

/** Whole days from `nowMs` until `notAfter`, negative once it has passed. */
export function daysUntil(notAfter: Date, nowMs: number): number {
  return Math.floor((notAfter.getTime() - nowMs) / msPerDay)
}

const msPerDay = 86_400_000

// Node prints one attribute per line; a single line reads better in logs.
function oneLine(name: string): string {
  return name.split('\n').filter(Boolean).join(', ')
}
