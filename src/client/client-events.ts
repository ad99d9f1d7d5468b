import type { ResumeOutcome } from '../codec/envelope.js'
import type { ClientState } from './client-state.js'

/** What WELCOME told the client. */
export interface Welcome {
  /** The session's id; the same across resumes. */
  readonly sessionId: string
  /** The token that resumes this session. */
  readonly resumeToken: string
  /** The outcome of a resume, or null when none was asked for. */
  readonly resume: ResumeOutcome | null
  /** Every limit the server enforces, by name. */
  readonly limits: Readonly<Record<string, number>>
}

/** A session became open: the first one, a resumed one or a fresh one. */
export interface OpenInfo {
  readonly welcome: Welcome
  /** True when the earlier session goes on, nothing lost. */
  readonly resumed: boolean
  /** Pushes the server replayed after the resume. */
  readonly replayed: number
  /** Why the earlier session could not resume, when it could not. */
  readonly resumeRefused: string | null
}

/** A push from the server. */
export interface PushMessage {
  readonly route: string
  readonly payload: unknown
  /** The push's sequence number in its session. */
  readonly seq: number
}

/** A reconnect was scheduled. */
export interface ReconnectInfo {
  /** Attempts since the last open session, this one included. */
  readonly attempt: number
  /** Time until the attempt, in ms. */
  readonly delayMs: number
  /** Close code of the connection that ended (1006: lost). */
  readonly code: number
  readonly reason: string
}

/** The earlier session was lost; the application must rebuild its state. */
export interface ResumeRefusedInfo {
  /** `window_over`, `buffer_overflowed`, `bad_token` or `unknown_session`. */
  readonly reason: string
  readonly previousSessionId: string
  readonly sessionId: string
}

/** The client finished for good. */
export interface ClosedInfo {
  readonly code: number
  readonly reason: string
}

/** Events of a client and their arguments. */
export type ClientEvents = {
  /** Every state change. */
  state: [change: { from: ClientState; to: ClientState }]
  /** A session is open (after connect, resume or refused resume). */
  open: [info: OpenInfo]
  /** A push arrived (each sequence number once, in order). */
  push: [push: PushMessage]
  /** The connection was lost and a new attempt is scheduled. */
  reconnecting: [info: ReconnectInfo]
  /** A resume was refused: this is a fresh session. */
  resumeRefused: [info: ResumeRefusedInfo]
  /** The client finished; it will not reconnect. */
  closed: [info: ClosedInfo]
}
