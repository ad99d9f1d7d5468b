import { randomBytes } from 'node:crypto'
import {
  PortcullisError,
  PortcullisErrorCode,
} from '../codec/portcullis-error.js'

/** The period a new certificate is valid for. */
export interface ValidityWindow {
  readonly notBefore: Date
  readonly notAfter: Date
}

const msPerDay = 86_400_000

// Back-dating the start keeps a peer whose clock runs a little behind from
// rejecting a certificate made a moment ago.
const backdateMs = 3_600_000

/**
 * Checks a validity option: a whole number of days from 1 to `maxDays`.
 * Throws INVALID_OPTION naming `option`.
 */
export function checkValidityDays(
  days: number,
  option: string,
  maxDays: number,
): number {
  if (!Number.isInteger(days) || days < 1 || days > maxDays) {
    throw new PortcullisError(
      PortcullisErrorCode.INVALID_OPTION,
      `${option} must be a whole number of days from 1 to ${maxDays}, ` +
        `got ${days}`,
    )
  }
  return days
}

/** The window of a certificate made at `now` and valid for `days`. */
export function validityWindow(now: Date, days: number): ValidityWindow {
  return {
    notBefore: new Date(now.getTime() - backdateMs),
    notAfter: new Date(now.getTime() + days * msPerDay),
  }
}

/**
 * A random positive 128-bit serial number in hex. RFC 5280 wants serials
 * unique per CA; random ones need no counter stored beside the CA.
 */
export function randomSerialNumber(): string {
  const bytes = randomBytes(16)
  bytes[0] = (bytes[0]! & 0x7f) | 0x01
  return bytes.toString('hex')
}
