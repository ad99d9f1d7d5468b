/**
 * The limits one session obeys; resolved once by the gateway and shared,
 * frozen, by every session of a listener.
 */
export interface SessionLimits {
  /** Accept to HELLO, in milliseconds. */
  readonly handshakeTimeoutMs: number
  /** HELLO to the auth hook's answer, in milliseconds. */
  readonly authTimeoutMs: number
  /** Silence after which an open session is closed (4003), in milliseconds. */
  readonly idleTimeoutMs: number
  /** Time a closing session gets to flush before it is dropped, in ms. */
  readonly closeGraceMs: number
  /** How long a detached session waits for a resume, in ms; 0 = never. */
  readonly resumeWindowMs: number
  /** Unacknowledged pushes kept for a resume, by count. */
  readonly maxReplayPushes: number
  /** Unacknowledged pushes kept for a resume, by bytes. */
  readonly maxReplayBytes: number
  /** Unsent output past which a session is closed (4004), in bytes. */
  readonly maxOutboundBytes: number
  /** Steady message budget (REQUEST and NOTIFY), per second. */
  readonly maxMessagesPerSecond: number
  /** Messages allowed in a burst above the steady rate. */
  readonly maxBurstMessages: number
  /** Time over budget after which a session is closed (4029), in ms. */
  readonly rateLimitCloseAfterMs: number
  /** Requests a session may have in flight before reading pauses. */
  readonly maxPendingRequests: number
  /** Responses remembered per session to answer re-sent requests. */
  readonly maxRememberedResponses: number
}
