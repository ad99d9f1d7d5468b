/** File names of the certificate set that `portcullis certs` writes. */
export const CertificateFileName = {
  CA_CERT: 'ca.pem',
  CA_KEY: 'ca-key.pem',
  SERVER_CERT: 'server.pem',
  SERVER_KEY: 'server-key.pem',
  SERVER_PFX: 'server.p12',
} as const

/** One of the certificate file names. */
export type CertificateFileName =
  (typeof CertificateFileName)[keyof typeof CertificateFileName]
