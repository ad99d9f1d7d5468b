/**
 * Stable string codes carried by RESPONSE errors. Clients branch on these,
 * never on the message text.
 */
export const ErrorCode = {
  UNKNOWN_ROUTE: 'unknown_route',
  HANDLER_ERROR: 'handler_error',
  HANDLER_TIMEOUT: 'handler_timeout',
  RATE_LIMITED: 'rate_limited',
  INVALID_REQUEST: 'invalid_request',
  SHUTTING_DOWN: 'shutting_down',
} as const

/** One of the built-in response error codes (handlers may add their own). */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode]
