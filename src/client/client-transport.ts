/** What the client needs from a connection, whatever carries it. */
export interface ClientTransport {
  /** Sends one body (framed as the transport requires). */
  send(body: Uint8Array, isText: boolean): void
  /** Closes the connection politely. */
  close(): void
  /** Drops the connection at once. */
  destroy(): void
}

/** Callbacks a transport reports to. */
export interface ClientTransportEvents {
  onBody(body: Uint8Array, isText: boolean): void
  /** The connection ended; `error` when it failed. */
  onClose(error: Error | undefined, code?: number, reason?: string): void
}
