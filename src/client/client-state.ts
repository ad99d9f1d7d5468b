/** The states of a client connection. */
export const ClientState = {
  /** Made, `connect` not called yet. */
  IDLE: 'idle',
  /** The first connection and handshake are under way. */
  CONNECTING: 'connecting',
  /** A session is open: messages go out at once. */
  OPEN: 'open',
  /** The connection was lost; waiting to reconnect, or reconnecting. */
  RECONNECTING: 'reconnecting',
  /** `close` was called: waiting for the server's goodbye. */
  CLOSING: 'closing',
  /** Finished for good; make a new client to connect again. */
  CLOSED: 'closed',
} as const

/** One of the client states. */
export type ClientState = (typeof ClientState)[keyof typeof ClientState]

const S = ClientState

/** The allowed moves: a state, then the states it may move to. */
export const CLIENT_TRANSITIONS: Readonly<
  Record<ClientState, readonly ClientState[]>
> = {
  [S.IDLE]: [S.CONNECTING, S.CLOSED],
  [S.CONNECTING]: [S.OPEN, S.CLOSED],
  [S.OPEN]: [S.RECONNECTING, S.CLOSING, S.CLOSED],
  [S.RECONNECTING]: [S.OPEN, S.CLOSED],
  [S.CLOSING]: [S.CLOSED],
  [S.CLOSED]: [],
}

/** True when a client may move from `from` to `to`. */
export function canMove(from: ClientState, to: ClientState): boolean {
  return CLIENT_TRANSITIONS[from].includes(to)
}
