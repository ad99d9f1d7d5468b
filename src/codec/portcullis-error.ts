import type { CloseCode } from './close-codes.js'

/** Stable error codes of errors thrown or reported by Portcullis. */
export const PortcullisErrorCode = {
  FRAME_TOO_LARGE: 'PORTCULLIS_ERR_FRAME_TOO_LARGE',
  EMPTY_FRAME: 'PORTCULLIS_ERR_EMPTY_FRAME',
  UNDECODABLE: 'PORTCULLIS_ERR_UNDECODABLE',
  TOO_DEEP: 'PORTCULLIS_ERR_TOO_DEEP',
  BAD_ENVELOPE: 'PORTCULLIS_ERR_BAD_ENVELOPE',
  UNEXPECTED_KIND: 'PORTCULLIS_ERR_UNEXPECTED_KIND',
  INVALID_OPTION: 'PORTCULLIS_ERR_INVALID_OPTION',
  INVALID_STATE: 'PORTCULLIS_ERR_INVALID_STATE',
  INVALID_CLOSE_CODE: 'PORTCULLIS_ERR_INVALID_CLOSE_CODE',
  ILLEGAL_TRANSITION: 'PORTCULLIS_ERR_ILLEGAL_TRANSITION',
  REQUEST_TIMEOUT: 'PORTCULLIS_ERR_REQUEST_TIMEOUT',
  CONNECTION_CLOSED: 'PORTCULLIS_ERR_CONNECTION_CLOSED',
  CONNECT_FAILED: 'PORTCULLIS_ERR_CONNECT_FAILED',
  REMOTE_ERROR: 'PORTCULLIS_ERR_REMOTE',
  QUEUE_FULL: 'PORTCULLIS_ERR_QUEUE_FULL',
  TLS: 'PORTCULLIS_ERR_TLS',
  FILE_EXISTS: 'PORTCULLIS_ERR_FILE_EXISTS',
} as const

/** One of the stable Portcullis error codes. */
export type PortcullisErrorCode =
  (typeof PortcullisErrorCode)[keyof typeof PortcullisErrorCode]

/** Extra facts an error may carry. */
export interface PortcullisErrorDetails {
  /** The close code to send when this error ends a session. */
  closeCode?: CloseCode
  /** The underlying error, if any. */
  cause?: unknown
}

/**
 * The one base class of Portcullis errors: a stable `code` to branch on, and
 * for protocol errors the close code that ends the session.
 */
export class PortcullisError extends Error {
  readonly code: PortcullisErrorCode
  readonly closeCode: CloseCode | undefined

  constructor(
    code: PortcullisErrorCode,
    message: string,
    details: PortcullisErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? {} : { cause: details.cause })
    this.name = 'PortcullisError'
    this.code = code
    this.closeCode = details.closeCode
  }
}
