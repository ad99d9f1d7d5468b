import * as pkijs from 'pkijs'

/** Object identifiers of the PKCS#12 pieces Portcullis writes and reads. */
export const Pkcs12Oid = {
  KEY_BAG_SHROUDED: '1.2.840.113549.1.12.10.1.2',
  CERT_BAG: '1.2.840.113549.1.12.10.1.3',
  X509_CERTIFICATE: '1.2.840.113549.1.9.22.1',
  LOCAL_KEY_ID: '1.2.840.113549.1.9.21',
} as const

let engine: pkijs.CryptoEngine | undefined

/**
 * The pkijs crypto engine over Node's WebCrypto. It is passed to each pkijs
 * call instead of being installed with `setEngine`, which is process-global.
 */
export function pkcs12Engine(): pkijs.CryptoEngine {
  engine ??= new pkijs.CryptoEngine({ name: 'node', crypto: globalThis.crypto })
  return engine
}

/** A password as pkijs wants it: its UTF-8 bytes. */
export function passwordBytes(password: string): ArrayBuffer {
  const bytes = new TextEncoder().encode(password)
  return bytes.buffer.slice(
    bytes.byteOffset,
    bytes.byteOffset + bytes.byteLength,
  ) as ArrayBuffer
}
