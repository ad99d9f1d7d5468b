import { CloseCode } from '../codec/index.js'
import type { SessionLimits } from './session-limits.js'
import { SessionState } from './session-state.js'

/** The limits that time a session's states. */
export type DeadlineLimits = Pick<
  SessionLimits,
  'authTimeoutMs' | 'resumeWindowMs' | 'closeGraceMs'
>

/**
 * When a session entering `state` at `nowMs` runs out of time there, in
 * ms; infinite for states without a deadline. An open session's idle
 * timeout moves with every message and is checked apart.
 */
export function stateDeadlineAtMs(
  state: SessionState,
  nowMs: number,
  limits: DeadlineLimits,
): number {
  switch (state) {
    case SessionState.AUTHENTICATING:
      return nowMs + limits.authTimeoutMs
    case SessionState.DETACHED:
      return nowMs + limits.resumeWindowMs
    case SessionState.CLOSING:
      return nowMs + limits.closeGraceMs
    default:
      return Number.POSITIVE_INFINITY
  }
}

/** A close a session gets for overstaying a state. */
export interface TimeoutClose {
  readonly code: CloseCode
  readonly reason: string
}

/**
 * The close for each state whose deadline ends the session with a code:
 * no HELLO, no auth answer, or an open session that went quiet. A detached
 * session expires instead, and a closing one is dropped.
 */
export const TIMEOUT_CLOSES: Readonly<
  Partial<Record<SessionState, TimeoutClose>>
> = {
  [SessionState.HANDSHAKING]: {
    code: CloseCode.HANDSHAKE_TIMEOUT,
    reason: 'no HELLO in time',
  },
  [SessionState.AUTHENTICATING]: {
    code: CloseCode.AUTH_FAILED,
    reason: 'authentication timed out',
  },
  [SessionState.OPEN]: {
    code: CloseCode.IDLE_TIMEOUT,
    reason: 'no message within idleTimeoutMs',
  },
}
