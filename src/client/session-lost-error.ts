import {
  PortcullisError,
  PortcullisErrorCode,
} from '../codec/portcullis-error.js'

/**
 * A request sent on a session that could not be resumed: the server may or
 * may not have run it, so the client does not send it again by itself.
 */
export class SessionLostError extends PortcullisError {
  /** Why the resume was refused (`window_over`, `bad_token`...). */
  readonly resumeRefusal: string

  constructor(resumeRefusal: string, route: string) {
    super(
      PortcullisErrorCode.CONNECTION_CLOSED,
      `request ${route.slice(0, 64)} was sent on a session that could not ` +
        `be resumed (${resumeRefusal}); it may or may not have run`,
    )
    this.name = 'SessionLostError'
    this.resumeRefusal = resumeRefusal
  }
}
