/**
 * Envelope kinds: the first element of every body array. The numbers are
 * the wire contract (PROTOCOL.md) and never change meaning.
 */
export const Kind = {
  HELLO: 1,
  WELCOME: 2,
  PING: 3,
  PONG: 4,
  REQUEST: 5,
  RESPONSE: 6,
  NOTIFY: 7,
  PUSH: 8,
  ACK: 9,
  CLOSE: 10,
} as const

/** One of the numeric envelope kinds. */
export type Kind = (typeof Kind)[keyof typeof Kind]

/** Kind number to its name, for logs and metrics labels. */
export const kindName: Readonly<Record<number, string>> = Object.freeze(
  Object.fromEntries(Object.entries(Kind).map(([name, n]) => [n, name])),
)
