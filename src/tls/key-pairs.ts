import { createPrivateKey, type KeyObject } from 'node:crypto'
import {
  PortcullisError,
  PortcullisErrorCode,
} from '../codec/portcullis-error.js'

/** Kinds of private key the certificate tools make. */
export const KeyType = {
  EC: 'ec',
  RSA: 'rsa',
} as const

/** One of the key kinds: ECDSA P-256 or RSA. */
export type KeyType = (typeof KeyType)[keyof typeof KeyType]

/** RSA modulus sizes the certificate tools accept, in bits. */
export const RSA_KEY_BITS = [2048, 3072, 4096] as const

/** One of the accepted RSA modulus sizes, in bits. */
export type RsaKeyBits = (typeof RSA_KEY_BITS)[number]

/** A WebCrypto algorithm that signs with a hash, as certificates need. */
export interface SigningAlgorithm {
  readonly name: string
  readonly hash: string
}

// Curve names as OpenSSL (and so KeyObject) spells them, with the hash that
// matches each curve's strength.
const curves = {
  prime256v1: { namedCurve: 'P-256', hash: 'SHA-256' },
  secp384r1: { namedCurve: 'P-384', hash: 'SHA-384' },
  secp521r1: { namedCurve: 'P-521', hash: 'SHA-512' },
} as const

const rsaSigning = 'RSASSA-PKCS1-v1_5'

/** Makes an extractable signing key pair: ECDSA P-256 or RSA of `rsaBits`. */
export function generateKeyPair(
  keyType: KeyType,
  rsaBits: RsaKeyBits,
): Promise<CryptoKeyPair> {
  const algorithm =
    keyType === KeyType.EC
      ? { name: 'ECDSA', namedCurve: 'P-256' }
      : {
          name: rsaSigning,
          hash: 'SHA-256',
          modulusLength: rsaBits,
          publicExponent: new Uint8Array([1, 0, 1]),
        }
  return crypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])
}

/** The signature algorithm a certificate signed by `key` uses. */
export function signingAlgorithmFor(key: CryptoKey): SigningAlgorithm {
  const algorithm = key.algorithm as { name: string; namedCurve?: string }
  if (algorithm.name === rsaSigning)
    return { name: rsaSigning, hash: 'SHA-256' }

  const curve = Object.values(curves).find(
    (known) => known.namedCurve === algorithm.namedCurve,
  )
  return { name: 'ECDSA', hash: curve?.hash ?? 'SHA-256' }
}

/** Writes a WebCrypto private key as unencrypted PKCS#8 PEM. */
export async function exportPrivateKeyPem(key: CryptoKey): Promise<string> {
  const der = await crypto.subtle.exportKey('pkcs8', key)
  const keyObject = createPrivateKey({
    key: Buffer.from(der),
    format: 'der',
    type: 'pkcs8',
  })
  return keyObject.export({ type: 'pkcs8', format: 'pem' }).toString()
}

/**
 * Reads a PEM private key (PKCS#8, SEC1 or PKCS#1) into a WebCrypto signing
 * key. Throws TLS when the key is unreadable or of an unsupported kind.
 */
export async function importSigningKey(
  pem: string,
  file: string,
): Promise<CryptoKey> {
  let keyObject: KeyObject
  try {
    keyObject = createPrivateKey(pem)
  } catch (cause) {
    throw new PortcullisError(
      PortcullisErrorCode.TLS,
      `${file} holds no readable private key`,
      { cause },
    )
  }

  const der = keyObject.export({ type: 'pkcs8', format: 'der' })
  return crypto.subtle.importKey(
    'pkcs8',
    der,
    importAlgorithmFor(keyObject, file),
    false,
    ['sign'],
  )
}

function importAlgorithmFor(
  keyObject: KeyObject,
  file: string,
): RsaHashedImportParams | EcKeyImportParams {
  if (keyObject.asymmetricKeyType === 'rsa') {
    return { name: rsaSigning, hash: 'SHA-256' }
  }

  const curveName = keyObject.asymmetricKeyDetails?.namedCurve ?? ''
  const curve = curves[curveName as keyof typeof curves]
  if (keyObject.asymmetricKeyType !== 'ec' || curve === undefined) {
    throw new PortcullisError(
      PortcullisErrorCode.TLS,
      `${file} holds a ${keyObject.asymmetricKeyType} ${curveName} key; ` +
        'only RSA and ECDSA P-256, P-384 and P-521 keys can sign',
    )
  }
  return { name: 'ECDSA', namedCurve: curve.namedCurve }
}
