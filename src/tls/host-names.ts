import { isIP } from 'node:net'
import {
  PortcullisError,
  PortcullisErrorCode,
} from '../codec/portcullis-error.js'

/** Host names split into the two kinds of subjectAltName entries. */
export interface HostNames {
  /** DNS names, lower-cased, possibly with a leading `*.` wildcard. */
  readonly dnsNames: readonly string[]
  /** IPv4 and IPv6 addresses. */
  readonly ipAddresses: readonly string[]
}

const maxHostNameChars = 253
const dnsLabel = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/

/**
 * Validates host names and tells DNS names from IP addresses. Duplicates are
 * dropped; an empty list or a malformed name throws INVALID_OPTION naming
 * `option`.
 */
export function splitHostNames(
  hosts: readonly string[],
  option = 'hosts',
): HostNames {
  const dnsNames = new Set<string>()
  const ipAddresses = new Set<string>()

  for (const raw of hosts) {
    const host = raw.trim().toLowerCase()
    if (isIP(host) !== 0) {
      ipAddresses.add(host)
    } else if (isDnsName(host)) {
      dnsNames.add(host)
    } else {
      throw new PortcullisError(
        PortcullisErrorCode.INVALID_OPTION,
        `${option} holds "${raw}", which is neither a DNS name nor an IP ` +
          'address',
      )
    }
  }

  if (dnsNames.size + ipAddresses.size === 0) {
    throw new PortcullisError(
      PortcullisErrorCode.INVALID_OPTION,
      `${option} must name at least one host`,
    )
  }
  return { dnsNames: [...dnsNames], ipAddresses: [...ipAddresses] }
}

function isDnsName(host: string): boolean {
  if (host.length === 0 || host.length > maxHostNameChars) return false
  const labels = host.split('.')
  // A wildcard may stand only for the whole leftmost label.
  if (labels[0] === '*' && labels.length > 2) labels.shift()
  return labels.every((label) => dnsLabel.test(label))
}
