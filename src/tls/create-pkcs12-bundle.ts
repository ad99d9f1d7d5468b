import { createHash, createPrivateKey, X509Certificate } from 'node:crypto'
import * as asn1js from 'asn1js'
import * as pkijs from 'pkijs'
import {
  PortcullisError,
  PortcullisErrorCode,
} from '../codec/portcullis-error.js'
import { Pkcs12Oid, passwordBytes, pkcs12Engine } from './pkcs12-engine.js'

/** Options of {@link createPkcs12Bundle}. */
export interface Pkcs12BundleOptions {
  /** The server certificate, PEM. */
  readonly certPem: string
  /** Its private key, PEM. */
  readonly keyPem: string
  /** CA certificates to carry as the chain, PEM. Default none. */
  readonly chainPems?: readonly string[]
  /** Password of the bundle; must not be empty. */
  readonly password: string
}

// OpenSSL 3 uses 2048 by default; more slows guessing at little cost here.
const kdfIterations = 10_000

const pbes2 = {
  // pkijs types ask for an iv here, but it draws a fresh one per encryption.
  contentEncryptionAlgorithm: {
    name: 'AES-CBC',
    length: 256,
  } as pkijs.ContentEncryptionAlgorithm,
  hmacHashAlgorithm: 'SHA-256',
  iterationCount: kdfIterations,
}

/**
 * Packs a certificate, its key and its chain into a password-protected
 * PKCS#12 file (DER). Key and certificates are encrypted with PBES2
 * (PBKDF2-HMAC-SHA256, AES-256-CBC) and the whole is sealed with a SHA-256
 * MAC, as OpenSSL 3 writes by default; EC and RSA keys both work.
 */
export async function createPkcs12Bundle(
  options: Pkcs12BundleOptions,
): Promise<Buffer> {
  if (options.password.length === 0) {
    throw new PortcullisError(
      PortcullisErrorCode.INVALID_OPTION,
      'password of a PKCS#12 bundle must not be empty',
    )
  }

  const engine = pkcs12Engine()
  const password = passwordBytes(options.password)
  const leafDer = new X509Certificate(options.certPem).raw
  // OpenSSL pairs key and certificate by this id: the certificate's SHA-1.
  const localKeyId = new pkijs.Attribute({
    type: Pkcs12Oid.LOCAL_KEY_ID,
    values: [
      new asn1js.OctetString({
        valueHex: createHash('sha1').update(leafDer).digest(),
      }),
    ],
  })
  const keyDer = createPrivateKey(options.keyPem).export({
    type: 'pkcs8',
    format: 'der',
  })
  const keyBag = new pkijs.PKCS8ShroudedKeyBag({
    parsedValue: pkijs.PrivateKeyInfo.fromBER(new Uint8Array(keyDer)),
  })
  await keyBag.makeInternalValues({ password, ...pbes2 }, engine)

  const certificateBags = [leafDer, ...chainDers(options.chainPems)].map(
    (der, index) =>
      new pkijs.SafeBag({
        bagId: Pkcs12Oid.CERT_BAG,
        bagValue: new pkijs.CertBag({
          parsedValue: pkijs.Certificate.fromBER(new Uint8Array(der)),
        }),
        ...(index === 0 ? { bagAttributes: [localKeyId] } : {}),
      }),
  )
  const keySafe = new pkijs.SafeContents({
    safeBags: [
      new pkijs.SafeBag({
        bagId: Pkcs12Oid.KEY_BAG_SHROUDED,
        bagValue: keyBag,
        bagAttributes: [localKeyId],
      }),
    ],
  })
  const certificateSafe = new pkijs.SafeContents({ safeBags: certificateBags })

  // privacyMode 0 keeps the already-encrypted key bag in plain data; 1
  // encrypts the certificates with the password, as OpenSSL does.
  const authenticatedSafe = new pkijs.AuthenticatedSafe({
    parsedValue: {
      safeContents: [
        { privacyMode: 0, value: keySafe },
        { privacyMode: 1, value: certificateSafe },
      ],
    },
  })
  await authenticatedSafe.makeInternalValues(
    { safeContents: [{}, { password, ...pbes2 }] },
    engine,
  )
  const pfx = new pkijs.PFX({
    parsedValue: { integrityMode: 0, authenticatedSafe },
  })
  await pfx.makeInternalValues(
    {
      password,
      iterations: kdfIterations,
      pbkdf2HashAlgorithm: 'SHA-256',
      hmacHashAlgorithm: 'SHA-256',
    },
    engine,
  )

  return Buffer.from(pfx.toSchema().toBER(false))
}

function chainDers(pems: readonly string[] | undefined): Buffer[] {
  return (pems ?? []).map((pem) => new X509Certificate(pem).raw)
}
