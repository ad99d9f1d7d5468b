/** Which server a server process runs. */
export const ServerKind = {
  PORTCULLIS: 'portcullis',
  NET: 'net',
  WS: 'ws',
  SOCKETIO: 'socketio',
} as const

/** One of the server kinds. */
export type ServerKind = (typeof ServerKind)[keyof typeof ServerKind]

/** The ports a server process bound on 127.0.0.1. */
export interface ServerPorts {
  tcp?: number
  ws?: number
  ops?: number
}

/** Messages from the bench to a server process. */
export type ToServer =
  | { type: 'memory' }
  | { type: 'broadcast'; roomSize: number; tickHz: number }
  | { type: 'stop' }

/** Messages from a server process to the bench. */
export type FromServer =
  | { type: 'ready'; ports: ServerPorts; note?: string }
  | { type: 'memory'; rssBytes: number; heapUsedBytes: number }
  | { type: 'failed'; message: string }
