import type { Logger } from 'pino'
import { CloseCode } from '../codec/index.js'
import {
  type Session,
  SessionEvent,
  type SessionRegistry,
  SessionState,
} from '../session/index.js'
import { ResumeRefusal } from './handshake.js'
import type { GatewayMetrics } from './metrics.js'

/** Sessions whose resume window passed, remembered for their refusal. */
const MAX_EXPIRED_REMEMBERED = 10_000

/**
 * The gateway's record of its sessions: every session not yet closed (for
 * the deadline sweep), counts by state, closes by code, the registry, and
 * why recently expired sessions can no longer resume. It hears every state
 * change and tells the game when a player has left.
 */
export class SessionBook {
  /** Sessions not yet closed, in any state. */
  readonly live = new Set<Session>()
  readonly #expired = new Map<string, ResumeRefusal>()
  readonly #metrics: GatewayMetrics
  readonly #registry: SessionRegistry
  readonly #logger: Logger
  readonly #playerLeft: (session: Session) => void

  constructor(
    metrics: GatewayMetrics,
    registry: SessionRegistry,
    logger: Logger,
    playerLeft: (session: Session) => void,
  ) {
    this.#metrics = metrics
    this.#registry = registry
    this.#logger = logger
    this.#playerLeft = playerLeft
  }

  /** A session was made for a new connection. */
  add(session: Session): void {
    this.#metrics.sessionsByState.handshaking += 1
    this.live.add(session)
  }

  /** Why a session that is gone can no longer resume, if known. */
  expiredReason(sessionId: string): ResumeRefusal | undefined {
    return this.#expired.get(sessionId)
  }

  /** Checks every live session's deadline. */
  tick(nowMs: number): void {
    for (const session of this.live) session.tick(nowMs)
  }

  /** The session hook: called after every state change. */
  transition(
    session: Session,
    from: SessionState,
    to: SessionState,
    event: SessionEvent,
  ): void {
    const counts = this.#metrics.sessionsByState
    counts[from] -= 1
    counts[to] += 1
    if (to === SessionState.CLOSING) {
      this.#logger.debug(
        { sessionId: session.id, code: session.closeInfo?.code },
        'session closing',
      )
      // For the game the player is gone now, not after the flush: names
      // and seats are released without waiting for a slow peer's FIN.
      if (session.openedAtMs !== undefined) this.#playerLeft(session)
    }
    if (to === SessionState.CLOSED) this.#closed(session, from, event)
  }

  #closed(session: Session, from: SessionState, event: SessionEvent): void {
    this.live.delete(session)
    const code = session.closeInfo?.code ?? CloseCode.NORMAL
    // A placeholder whose connection resumed another session never was a
    // session of its own: nothing closed.
    if (!session.discarded) this.#metrics.closes.inc({ code })
    if (event === SessionEvent.WINDOW_OVER) {
      this.#rememberExpired(
        session.id,
        session.replayOverflowed
          ? ResumeRefusal.BUFFER_OVERFLOWED
          : ResumeRefusal.WINDOW_OVER,
      )
    }
    this.#registry.remove(session).catch((error: unknown) => {
      this.#logger.error({ err: String(error) }, 'registry remove failed')
    })
    this.#logger.debug({ sessionId: session.id, code }, 'session closed')
    if (session.openedAtMs !== undefined && from === SessionState.DETACHED) {
      this.#playerLeft(session)
    }
  }

  #rememberExpired(sessionId: string, reason: ResumeRefusal): void {
    this.#expired.set(sessionId, reason)
    if (this.#expired.size > MAX_EXPIRED_REMEMBERED) {
      const oldest = this.#expired.keys().next().value as string
      this.#expired.delete(oldest)
    }
  }
}
