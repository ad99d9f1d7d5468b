export {
  type AuthHook,
  type AuthRequest,
  type AuthResult,
  allowAnonymous,
} from './auth.js'
export { type Clock, ManualClock, systemClock } from './clock.js'
export type { CloseInfo, CloseOptions } from './close-info.js'
export { randomText } from './random-text.js'
export { ReplayBuffer } from './replay-buffer.js'
export { Session } from './session.js'
export type { Membership, SessionHooks } from './session-hooks.js'
export type { SessionLimits } from './session-limits.js'
export {
  LocalSessionRegistry,
  type SessionRegistry,
} from './session-registry.js'
export {
  nextState,
  SessionEvent,
  SessionState,
  TRANSITIONS,
} from './session-state.js'
export { TokenBucket } from './token-bucket.js'
export { type Transport, TransportName } from './transport.js'
