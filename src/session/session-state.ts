/** The states of a session. */
export const SessionState = {
  HANDSHAKING: 'handshaking',
  AUTHENTICATING: 'authenticating',
  OPEN: 'open',
  DETACHED: 'detached',
  CLOSING: 'closing',
  CLOSED: 'closed',
} as const

/** One of the session states. */
export type SessionState = (typeof SessionState)[keyof typeof SessionState]

/** What can happen to a session. */
export const SessionEvent = {
  /** A valid HELLO arrived. */
  HELLO_RECEIVED: 'hello_received',
  /** The auth hook accepted the credentials. */
  AUTH_ACCEPTED: 'auth_accepted',
  /** The transport went away without a close handshake. */
  TRANSPORT_LOST: 'transport_lost',
  /** A new transport presented the resume token and took the session. */
  RESUMED: 'resumed',
  /** The resume window passed with no transport. */
  WINDOW_OVER: 'window_over',
  /** Kick, protocol error, deadline, shutdown or the client's own CLOSE. */
  CLOSE_REQUESTED: 'close_requested',
  /** The close was flushed, or its grace period ran out. */
  FLUSHED: 'flushed',
} as const

/** One of the session events. */
export type SessionEvent = (typeof SessionEvent)[keyof typeof SessionEvent]

const S = SessionState
const E = SessionEvent

/**
 * The allowed moves: state, then event, then the next state. A pair that is
 * missing here is illegal. Before a session is open there is nothing to
 * resume, so a lost transport ends it at once.
 */
export const TRANSITIONS: Readonly<
  Record<SessionState, Readonly<Partial<Record<SessionEvent, SessionState>>>>
> = {
  [S.HANDSHAKING]: {
    [E.HELLO_RECEIVED]: S.AUTHENTICATING,
    [E.TRANSPORT_LOST]: S.CLOSED,
    [E.CLOSE_REQUESTED]: S.CLOSING,
  },
  [S.AUTHENTICATING]: {
    [E.AUTH_ACCEPTED]: S.OPEN,
    [E.TRANSPORT_LOST]: S.CLOSED,
    [E.CLOSE_REQUESTED]: S.CLOSING,
  },
  [S.OPEN]: {
    [E.TRANSPORT_LOST]: S.DETACHED,
    [E.RESUMED]: S.OPEN,
    [E.CLOSE_REQUESTED]: S.CLOSING,
  },
  [S.DETACHED]: {
    [E.RESUMED]: S.OPEN,
    [E.WINDOW_OVER]: S.CLOSED,
    [E.CLOSE_REQUESTED]: S.CLOSING,
  },
  [S.CLOSING]: {
    [E.TRANSPORT_LOST]: S.CLOSED,
    [E.FLUSHED]: S.CLOSED,
  },
  [S.CLOSED]: {},
}

/** The next state for `event` in `state`, or undefined when illegal. */
export function nextState(
  state: SessionState,
  event: SessionEvent,
): SessionState | undefined {
  return TRANSITIONS[state][event]
}
