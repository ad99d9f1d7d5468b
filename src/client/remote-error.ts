import {
  PortcullisError,
  PortcullisErrorCode,
} from '../codec/portcullis-error.js'

/** A request the server answered with an error response. */
export class RemoteError extends PortcullisError {
  /** The server's stable error code (`unknown_route`, `name_taken`...). */
  readonly remoteCode: string

  constructor(remoteCode: string, message: string) {
    super(PortcullisErrorCode.REMOTE_ERROR, `${remoteCode}: ${message}`)
    this.name = 'RemoteError'
    this.remoteCode = remoteCode
  }
}
