// The client's public entry. It imports codec modules one by one, never the
// codec barrel: the barrel also loads server-only modules that need Node.
export { CloseCode } from '../codec/close-codes.js'
export type { ResumeOutcome } from '../codec/envelope.js'
export { ErrorCode } from '../codec/error-codes.js'
export {
  PortcullisError,
  PortcullisErrorCode,
} from '../codec/portcullis-error.js'
export { type BackoffPolicy, backoffDelayMs } from './backoff.js'
export { PortcullisClient } from './client.js'
export type {
  ClientEvents,
  ClosedInfo,
  OpenInfo,
  PushMessage,
  ReconnectInfo,
  ResumeRefusedInfo,
  Welcome,
} from './client-events.js'
export type { ClientOptions, ReconnectOptions } from './client-options.js'
export { ClientState } from './client-state.js'
export { RemoteError } from './remote-error.js'
export { SessionLostError } from './session-lost-error.js'
