/** What the auth hook is told about a connecting client. */
export interface AuthRequest {
  /** The `credentials` field of HELLO, as the client sent it. */
  readonly credentials: unknown
  /** The `client` field of HELLO (name, version, platform...). */
  readonly client: unknown
  readonly remoteAddress: string
  readonly transport: string
  /** Fires when the auth deadline passes or the client leaves. */
  readonly signal: AbortSignal
}

/** A successful login. */
export interface AuthResult {
  /** The user id; one login per user id is enforced when set. */
  uid?: string
  /** Anything the application wants to keep with the session. */
  data?: unknown
}

/**
 * Decides whether a client may log in. Return (or resolve) an AuthResult to
 * accept, `false` to refuse (close 4001), or throw (also 4001, and the error
 * is logged). It may call a login service; pass `signal` to it.
 */
export type AuthHook = (
  request: AuthRequest,
) => AuthResult | false | Promise<AuthResult | false>

/** The hook used when none is given: everyone is an anonymous player. */
export const allowAnonymous: AuthHook = () => ({})
