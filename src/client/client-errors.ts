import {
  PortcullisError,
  PortcullisErrorCode,
} from '../codec/portcullis-error.js'
import type { ConnectionEnd } from './client-connection.js'
import type { ClosedInfo } from './client-events.js'
import type { ClientState } from './client-state.js'

/**
 * The error a call fails with once the client is closing (`info`
 * undefined) or closed (`info` says how).
 */
export function closedError(info: ClosedInfo | undefined): PortcullisError {
  const detail = info === undefined ? 'closing' : `${info.code} ${info.reason}`
  return new PortcullisError(
    PortcullisErrorCode.CONNECTION_CLOSED,
    `client closed (${detail})`,
  )
}

/** `connect` was called on a client that is not idle: the caller erred. */
export function notIdleError(state: ClientState): PortcullisError {
  return new PortcullisError(
    PortcullisErrorCode.INVALID_STATE,
    `connect() needs an idle client; this one is ${state}`,
  )
}

/** A state move the transitions table forbids: our own bug. */
export function illegalMoveError(
  from: ClientState,
  to: ClientState,
): PortcullisError {
  return new PortcullisError(
    PortcullisErrorCode.ILLEGAL_TRANSITION,
    `client cannot move from ${from} to ${to}`,
  )
}

/**
 * The error a first connect fails with: the transport's own when it failed
 * before the server said anything, else one naming the close.
 */
export function handshakeFailure(
  end: ConnectionEnd,
  error: Error | undefined,
): PortcullisError {
  if (error instanceof PortcullisError && !end.byServer) return error
  return new PortcullisError(
    PortcullisErrorCode.CONNECTION_CLOSED,
    `closed during handshake: ${end.code} ${end.reason}`,
    { cause: error },
  )
}
