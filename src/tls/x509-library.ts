import { webcrypto } from 'node:crypto'

/** The @peculiar/x509 module, as loaded by {@link loadX509}. */
export type X509Library = typeof import('@peculiar/x509')

let loading: Promise<X509Library> | undefined

/**
 * Loads @peculiar/x509 on first use and points it at Node's WebCrypto.
 *
 * The library needs a global Reflect metadata polyfill, so it is imported
 * lazily: a gateway that only loads existing certificate files never patches
 * the global `Reflect`.
 */
export function loadX509(): Promise<X509Library> {
  loading ??= importX509()
  return loading
}

async function importX509(): Promise<X509Library> {
  await import('reflect-metadata')
  const x509 = await import('@peculiar/x509')
  x509.cryptoProvider.set(webcrypto as unknown as Crypto)
  return x509
}
