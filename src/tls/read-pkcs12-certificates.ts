import { X509Certificate } from 'node:crypto'
import * as pkijs from 'pkijs'
import {
  PortcullisError,
  PortcullisErrorCode,
} from '../codec/portcullis-error.js'
import { Pkcs12Oid, passwordBytes, pkcs12Engine } from './pkcs12-engine.js'

/**
 * Reads the certificates of a password-protected PKCS#12 file (DER), the
 * end-entity certificate first. Checks the MAC, so a wrong password throws
 * TLS; so does a file that is not PKCS#12.
 */
export async function readPkcs12Certificates(
  der: Uint8Array,
  password: string,
  file: string,
): Promise<X509Certificate[]> {
  const engine = pkcs12Engine()
  const passwordBuffer = passwordBytes(password)
  let certificates: X509Certificate[]
  try {
    const pfx = pkijs.PFX.fromBER(new Uint8Array(der))
    await pfx.parseInternalValues(
      { password: passwordBuffer, checkIntegrity: true },
      engine,
    )
    const authenticatedSafe = pfx.parsedValue?.authenticatedSafe
    if (authenticatedSafe === undefined) throw new Error('no content')
    await authenticatedSafe.parseInternalValues(
      {
        safeContents: authenticatedSafe.safeContents.map(() => ({
          password: passwordBuffer,
        })),
      },
      engine,
    )
    // pkijs leaves this field untyped.
    const parsed = authenticatedSafe.parsedValue as
      | { safeContents?: { value: pkijs.SafeContents }[] }
      | undefined
    certificates = (parsed?.safeContents ?? [])
      .flatMap((contents) => contents.value.safeBags)
      .filter((bag) => bag.bagId === Pkcs12Oid.CERT_BAG)
      .map((bag) => (bag.bagValue as pkijs.CertBag).parsedValue)
      .filter((value) => value instanceof pkijs.Certificate)
      .map(
        (value) => new X509Certificate(Buffer.from(value.toSchema().toBER())),
      )
  } catch (cause) {
    throw new PortcullisError(
      PortcullisErrorCode.TLS,
      `${file} is not a PKCS#12 file this password opens`,
      { cause },
    )
  }

  if (certificates.length === 0) {
    throw new PortcullisError(
      PortcullisErrorCode.TLS,
      `${file} holds no certificate`,
    )
  }
  return certificates.sort((a, b) => Number(a.ca) - Number(b.ca))
}
