/**
 * Close codes sent in CLOSE envelopes and WebSocket close frames. 1xxx follow
 * RFC 6455; 4xxx are Portcullis's own. PROTOCOL.md documents each.
 */
export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  PROTOCOL_ERROR: 1002,
  UNSUPPORTED_DATA: 1003,
  INVALID_PAYLOAD: 1007,
  MESSAGE_TOO_BIG: 1009,
  INTERNAL_ERROR: 1011,
  TRY_AGAIN_LATER: 1013,
  AUTH_FAILED: 4001,
  SUPERSEDED: 4002,
  IDLE_TIMEOUT: 4003,
  SLOW_READER: 4004,
  KICKED: 4006,
  HANDSHAKE_TIMEOUT: 4008,
  LOGIN_REFUSED: 4009,
  RATE_LIMITED: 4029,
} as const

/** One of the documented close codes. */
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode]

/** Short default reasons, sent when the caller gives none. */
export const closeReason: Readonly<Record<CloseCode, string>> = {
  1000: 'normal closure',
  1001: 'server going away',
  1002: 'protocol error',
  1003: 'unsupported data',
  1007: 'undecodable payload',
  1009: 'message too big',
  1011: 'internal error',
  1013: 'try again later',
  4001: 'authentication failed',
  4002: 'superseded by another connection',
  4003: 'idle timeout',
  4004: 'slow reader',
  4006: 'kicked',
  4008: 'handshake timeout',
  4009: 'login refused',
  4029: 'rate limit exceeded',
}

const known = new Set<number>(Object.values(CloseCode))

/** True when `code` is one of the documented close codes. */
export function isCloseCode(code: number): code is CloseCode {
  return known.has(code)
}

/**
 * True when `code` may be sent in a close: 1000-1003, 1007-1014 (1004-1006
 * and 1015 are reserved for the WebSocket layer itself) or 3000-4999.
 */
export function isSendableCloseCode(code: number): boolean {
  if (!Number.isInteger(code)) return false
  if (code >= 3000 && code <= 4999) return true
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014)
}
