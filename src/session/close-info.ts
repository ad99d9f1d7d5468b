/** How a session ended. */
export interface CloseInfo {
  readonly code: number
  readonly reason: string
}

/** Options of `Session.close`. */
export interface CloseOptions {
  /** Tells the client when to come back, in milliseconds. */
  retryAfterMs?: number
  /** Lets requests in flight answer before the CLOSE is sent. */
  afterPending?: boolean
}
