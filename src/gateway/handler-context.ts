import type { Session } from '../session/index.js'

/** What a handler gets for one REQUEST or NOTIFY. */
export class HandlerContext {
  readonly session: Session
  readonly route: string
  readonly payload: unknown
  /** The request id, or undefined for a NOTIFY. */
  readonly requestId: number | undefined
  #controller: AbortController | undefined

  constructor(
    session: Session,
    route: string,
    payload: unknown,
    requestId: number | undefined,
  ) {
    this.session = session
    this.route = route
    this.payload = payload
    this.requestId = requestId
  }

  /**
   * Fires when the request times out (`handlerTimeoutMs`) or the gateway
   * stops. Made on first use: most handlers never look at it.
   */
  get signal(): AbortSignal {
    this.#controller ??= new AbortController()
    return this.#controller.signal
  }

  /** Fires the signal, if anyone asked for it. */
  abort(reason: Error): void {
    this.#controller?.abort(reason)
  }
}

/**
 * A game handler. For a REQUEST, what it returns (or resolves) is the
 * response payload; for a NOTIFY it is ignored.
 */
export type Handler = (context: HandlerContext) => unknown
