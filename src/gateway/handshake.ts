import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { Logger } from 'pino'
import {
  CloseCode,
  type EnvelopeOf,
  envelope,
  type Kind,
  PROTOCOL_VERSION,
  type ResumeOutcome,
  type ResumeTicket,
} from '../codec/index.js'
import {
  type AuthHook,
  type AuthResult,
  type Session,
  type SessionRegistry,
  SessionState,
} from '../session/index.js'
import type { Connection } from './connection.js'
import type { ResolvedOptions } from './options.js'

/** Why a resume was refused (WELCOME's `resume.reason`). */
export const ResumeRefusal = {
  WINDOW_OVER: 'window_over',
  BUFFER_OVERFLOWED: 'buffer_overflowed',
  BAD_TOKEN: 'bad_token',
  UNKNOWN_SESSION: 'unknown_session',
} as const

/** One of the resume refusal reasons. */
export type ResumeRefusal = (typeof ResumeRefusal)[keyof typeof ResumeRefusal]

/** What the handshake needs from the gateway. */
export interface HandshakeHost {
  readonly options: ResolvedOptions
  readonly registry: SessionRegistry
  readonly auth: AuthHook
  readonly logger: Logger
  readonly limits: Readonly<Record<string, number>>
  /** Why a session that is gone can no longer resume, if it is known. */
  expiredReason(sessionId: string): ResumeRefusal | undefined
  /** A session opened (login or resume). */
  onOpened(session: Session, resumed: boolean): void
}

function tokensEqual(a: string, b: string): boolean {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}

/**
 * Runs the HELLO of a connection's fresh session: a resume when it carries a
 * valid ticket, else a login through the auth hook; then WELCOME. Every
 * failure becomes a close with a documented code.
 */
export async function handleHello(
  host: HandshakeHost,
  connection: Connection,
  hello: EnvelopeOf<typeof Kind.HELLO>,
): Promise<void> {
  const session = connection.session
  if (hello.version !== PROTOCOL_VERSION) {
    const reason = `protocol version ${hello.version} is not supported`
    session.close(CloseCode.PROTOCOL_ERROR, reason)
    return
  }
  session.helloReceived()

  let outcome: ResumeOutcome | null = null
  const ticket = hello.info.resume
  if (ticket !== undefined) {
    const result = await tryResume(host, connection, ticket)
    if (result === true) return
    outcome = { resumed: false, reason: result }
    if (session.state !== SessionState.AUTHENTICATING) return
  }
  await login(host, session, hello, outcome)
}

async function tryResume(
  host: HandshakeHost,
  connection: Connection,
  ticket: ResumeTicket,
): Promise<true | ResumeRefusal> {
  const fresh = connection.session
  const target = await host.registry.get(ticket.sessionId)
  if (target === undefined || target.state === SessionState.CLOSED) {
    return host.expiredReason(ticket.sessionId) ?? ResumeRefusal.UNKNOWN_SESSION
  }
  if (!tokensEqual(ticket.token, target.resumeToken)) {
    return ResumeRefusal.BAD_TOKEN
  }
  if (fresh.state !== SessionState.AUTHENTICATING) return true
  const state = target.state
  if (state !== SessionState.OPEN && state !== SessionState.DETACHED) {
    return ResumeRefusal.WINDOW_OVER
  }
  const replay = target.replayAfter(ticket.lastSeq)
  if (!target.resumable || replay === undefined) {
    return ResumeRefusal.BUFFER_OVERFLOWED
  }

  const old = target.detachTransport()
  if (old !== undefined) {
    const reason = 'another connection took this session over'
    const body = target.serializer.encode(
      envelope.close(CloseCode.SUPERSEDED, reason),
    )
    old.end(CloseCode.SUPERSEDED, reason, body)
  }
  const serializer = fresh.serializer
  fresh.discard()
  connection.session = target
  target.attach(connection, serializer)
  target.send(
    serializer.encode(
      envelope.welcome(
        target.id,
        target.resumeToken,
        { resumed: true, replayed: replay.length },
        host.limits,
      ),
    ),
  )
  for (const body of replay) target.send(body)
  host.onOpened(target, true)
  return true
}

async function authenticate(
  host: HandshakeHost,
  session: Session,
  hello: EnvelopeOf<typeof Kind.HELLO>,
): Promise<AuthResult | false | 'failed'> {
  const controller = new AbortController()
  const timer = setTimeout(
    () => controller.abort(new Error('auth timed out')),
    host.options.authTimeoutMs,
  )
  timer.unref()
  try {
    return await host.auth({
      credentials: hello.info.credentials,
      client: hello.info.client,
      remoteAddress: session.transport?.remoteAddress ?? '',
      transport: session.transport?.name ?? '',
      signal: controller.signal,
    })
  } catch (error) {
    host.logger.error(
      { sessionId: session.id, err: String(error).slice(0, 200) },
      'auth hook failed',
    )
    return 'failed'
  } finally {
    clearTimeout(timer)
  }
}

async function login(
  host: HandshakeHost,
  session: Session,
  hello: EnvelopeOf<typeof Kind.HELLO>,
  outcome: ResumeOutcome | null,
): Promise<void> {
  const result = await authenticate(host, session, hello)
  if (session.state !== SessionState.AUTHENTICATING) return
  if (result === false) {
    session.close(CloseCode.AUTH_FAILED, 'login refused')
    return
  }
  if (result === 'failed') {
    session.close(CloseCode.INTERNAL_ERROR, 'login service failed')
    return
  }

  const uid = result.uid
  if (uid !== undefined) {
    const existing = await host.registry.byUid(uid)
    if (session.state !== SessionState.AUTHENTICATING) return
    if (existing !== undefined && existing !== session) {
      if (host.options.duplicateLogin === 'reject-new') {
        session.close(CloseCode.LOGIN_REFUSED, 'user already online')
        return
      }
      existing.close(CloseCode.SUPERSEDED, 'logged in from elsewhere')
    }
  }

  session.resumeToken = randomBytes(18).toString('base64url')
  session.authenticated(uid, result.data)
  await host.registry.add(session)
  await host.registry.bindUid(session)
  // The session may have closed while the registry answered.
  if ((session.state as SessionState) !== SessionState.OPEN) return
  session.send(
    session.serializer.encode(
      envelope.welcome(session.id, session.resumeToken, outcome, host.limits),
    ),
  )
  host.onOpened(session, false)
}
