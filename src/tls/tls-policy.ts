import { constants } from 'node:crypto'
import type { SecureContextOptions } from 'node:tls'

/**
 * Protocol policy of every Portcullis TLS context: TLS 1.2 at least (1.3 is
 * negotiated whenever the client offers it) and no renegotiation, which
 * TLS 1.3 dropped and which in 1.2 lets a client make the server redo costly
 * handshakes on one connection.
 */
export const TLS_POLICY: Readonly<SecureContextOptions> = Object.freeze({
  minVersion: 'TLSv1.2',
  secureOptions: constants.SSL_OP_NO_RENEGOTIATION,
})
