/**
 * Thrown by a handler to answer with an application error: the client gets
 * a RESPONSE carrying `code` and `message` (for example `name_taken`).
 * Any other exception becomes `handler_error` and is logged.
 */
export class RequestError extends Error {
  readonly code: string

  constructor(code: string, message: string) {
    super(message)
    this.name = 'RequestError'
    this.code = code
  }
}
