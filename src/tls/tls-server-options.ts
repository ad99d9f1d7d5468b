import type { TlsOptions } from 'node:tls'
import {
  PortcullisError,
  PortcullisErrorCode,
} from '../codec/portcullis-error.js'
import type { TlsContextStore } from './tls-context-store.js'

/** Options of {@link tlsServerOptions}. */
export interface TlsServerOptionsInput {
  /**
   * Time a client has to finish its TLS handshake, in ms; a plaintext or
   * silent client is dropped after it. Default 10000.
   */
  readonly handshakeTimeoutMs?: number
}

/** Default TLS handshake deadline, in ms. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000

/**
 * Options for `tls.createServer` or `https.createServer`: the store's current
 * certificate under the Portcullis policy (TLS 1.2 minimum, no
 * renegotiation) and a handshake deadline. Pass the server to
 * `store.attach(server)` so new handshakes follow reloads.
 */
export function tlsServerOptions(
  store: TlsContextStore,
  options: TlsServerOptionsInput = {},
): TlsOptions {
  const handshakeTimeoutMs =
    options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS
  if (!Number.isInteger(handshakeTimeoutMs) || handshakeTimeoutMs <= 0) {
    throw new PortcullisError(
      PortcullisErrorCode.INVALID_OPTION,
      'handshakeTimeoutMs must be a positive whole number of ms, ' +
        `got ${handshakeTimeoutMs}`,
    )
  }

  return { ...store.contextOptions, handshakeTimeout: handshakeTimeoutMs }
}
