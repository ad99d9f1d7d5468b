/** Names of the transports a session can ride on. */
export const TransportName = {
  TCP: 'tcp',
  TLS: 'tls',
  WS: 'ws',
  WSS: 'wss',
  LINE: 'line',
} as const

/** One of the transport names. */
export type TransportName = (typeof TransportName)[keyof typeof TransportName]

/**
 * What a session needs from a connection. The gateway implements it once per
 * transport; the session never sees a socket.
 */
export interface Transport {
  readonly name: TransportName
  /** The peer's address, for logs and per-IP limits. */
  readonly remoteAddress: string
  /** Bytes accepted for sending but not yet handed to the kernel. */
  readonly bufferedBytes: number
  /** Queues one body; writes of one event-loop turn are sent together. */
  send(body: Buffer): void
  /**
   * Sends `closeBody` (an encoded CLOSE) and ends the connection once
   * everything queued before it is flushed. `code` and `reason` go into the
   * WebSocket close frame where there is one.
   */
  end(code: number, reason: string, closeBody: Buffer | undefined): void
  /** Drops the connection now, discarding unsent bytes. */
  destroy(): void
  /** Stops reading from the peer until `resumeReading`. */
  pauseReading(): void
  /** Reads from the peer again. */
  resumeReading(): void
}
