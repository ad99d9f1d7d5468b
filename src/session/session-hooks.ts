import type { Session } from './session.js'
import type { SessionEvent, SessionState } from './session-state.js'

/** Callbacks a session reports to; shared by all sessions of a gateway. */
export interface SessionHooks {
  /** Called after every state change. */
  onTransition(
    session: Session,
    from: SessionState,
    to: SessionState,
    event: SessionEvent,
  ): void
  /** Called when a push is dropped or a budget is exceeded, for metrics. */
  onShed?(session: Session, what: 'notify' | 'request' | 'replay'): void
}

/** Something a session can belong to and must leave when it closes. */
export interface Membership {
  remove(session: Session): void
}
