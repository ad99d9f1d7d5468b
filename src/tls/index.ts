export { CertificateFileName } from './certificate-file-names.js'
export {
  type CertificateSummary,
  daysUntil,
  summarizeCertificate,
} from './certificate-summary.js'
export {
  type CertificateAuthorityOptions,
  createCertificateAuthority,
  DEFAULT_CA_VALIDITY_DAYS,
  type PemCredentials,
} from './create-certificate-authority.js'
export {
  createPkcs12Bundle,
  type Pkcs12BundleOptions,
} from './create-pkcs12-bundle.js'
export {
  createServerCertificate,
  MAX_SERVER_VALIDITY_DAYS,
  type ServerCertificateOptions,
} from './create-server-certificate.js'
export { dropFailedHandshakes } from './drop-failed-handshakes.js'
export {
  ensureSelfSigned,
  SELF_SIGNED_DIR,
  type SelfSignedCertificate,
  type SelfSignedOptions,
} from './ensure-self-signed.js'
export { type HostNames, splitHostNames } from './host-names.js'
export { inspectCertificateFile } from './inspect-certificate-file.js'
export { KeyType, RSA_KEY_BITS, type RsaKeyBits } from './key-pairs.js'
export {
  loadTlsCredentials,
  type TlsCredentials,
  type TlsSource,
} from './load-tls-credentials.js'
export {
  TlsContextStore,
  type TlsContextStoreEvents,
  type TlsContextStoreOptions,
  type TlsReloadResult,
} from './tls-context-store.js'
export { TLS_POLICY } from './tls-policy.js'
export {
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  type TlsServerOptionsInput,
  tlsServerOptions,
} from './tls-server-options.js'
export {
  type CertificateFiles,
  type CertificateFilesOptions,
  writeCertificateFiles,
} from './write-certificate-files.js'
