import type { Logger } from 'pino'
import type { LineRenderer } from '../codec/index.js'
import type {
  AuthHook,
  Clock,
  Session,
  SessionRegistry,
} from '../session/index.js'

/** Parts a caller may supply instead of the defaults. */
export interface GatewayParts {
  /** Decides logins; default: everyone is an anonymous player. */
  auth?: AuthHook
  /** Default: the system clock. Tests inject a manual one. */
  clock?: Clock
  /** Default: pino on stdout at `options.logLevel`. */
  logger?: Logger
  /** Default: an in-process registry. */
  registry?: SessionRegistry
  /** How pushes look on the line transport. */
  lineRenderer?: LineRenderer
}

/** Events a gateway emits for the application. */
export interface GatewayEvents {
  /** A session opened: a login, a resume, or a line connection. */
  session: [session: Session, resumed: boolean]
  /**
   * A session left the game for good: it began closing, or its resume
   * window passed. Fires once per session that opened.
   */
  sessionClosed: [session: Session]
}
