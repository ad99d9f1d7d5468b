import { timingSafeEqual } from 'node:crypto'
import type { Logger } from 'pino'
import {
  CloseCode,
  type EnvelopeOf,
  envelope,
  type Kind,
  PROTOCOL_VERSION,
  type ResumeOutcome,
  type ResumeTicket,
  type Serializer,
} from '../codec/index.js'
import {
  type AuthHook,
  type AuthResult,
  type Clock,
  randomText,
  type Session,
  type SessionRegistry,
  SessionState,
  type Transport,
} from '../session/index.js'
import type { Connection } from './connection.js'
import type { GatewayMetrics } from './metrics.js'
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
  readonly clock: Clock
  readonly metrics: GatewayMetrics
  readonly limits: Readonly<Record<string, number>>
  /** Why a session that is gone can no longer resume, if it is known. */
  expiredReason(sessionId: string): ResumeRefusal | undefined
  /** A session opened (login or resume). */
  onOpened(session: Session, resumed: boolean): void
}

/** Random bytes in a resume token: 144 bits, unguessable. */
const RESUME_TOKEN_BYTES = 18

/**
 * Logins between the auth hook's answer and WELCOME, by user id, per host.
 * Two logins of one user that overlap there would both miss each other in
 * the registry; this lets the duplicate-login policy see the earlier one.
 */
const loginsInProgress = new WeakMap<HandshakeHost, Map<string, Session>>()

function tokensEqual(a: string, b: string): boolean {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}

function isGone(session: Session): boolean {
  const state = session.state
  return state === SessionState.CLOSING || state === SessionState.CLOSED
}

/**
 * Takes a HELLO at once, as it is read: checks its version and moves the
 * session to authenticating, so anything read after it (a second HELLO, a
 * request sent before WELCOME) is judged against that state. Returns false
 * when the session was closed (1002).
 */
export function acceptHello(
  session: Session,
  hello: EnvelopeOf<typeof Kind.HELLO>,
): boolean {
  if (hello.version !== PROTOCOL_VERSION) {
    const reason = `protocol version ${hello.version} is not supported`
    session.close(CloseCode.PROTOCOL_ERROR, reason)
    return false
  }
  session.helloReceived()
  return true
}

/**
 * Runs an accepted HELLO (`acceptHello`) of a connection's fresh session:
 * a resume when it carries a valid ticket, else a login through the auth
 * hook; then WELCOME. Every failure becomes a close with a documented code.
 */
export async function handleHello(
  host: HandshakeHost,
  connection: Connection,
  hello: EnvelopeOf<typeof Kind.HELLO>,
): Promise<void> {
  const session = connection.session
  let outcome: ResumeOutcome | null = null
  const ticket = hello.info.resume
  if (ticket !== undefined) {
    const result = await tryResume(host, connection, ticket)
    if (result === true) return
    host.metrics.resumes.inc({ outcome: result })
    host.logger.debug(
      { sessionId: session.id, reason: result },
      'resume refused',
    )
    outcome = { resumed: false, reason: result }
    if (session.state !== SessionState.AUTHENTICATING) return
  }
  await login(host, session, hello, outcome)
}

/**
 * Moves the connection onto the ticket's session when it may: the token
 * matches, the session still waits (or is open: a takeover) and it still
 * holds every push after the ticket's `lastSeq`. Everything from the checks
 * to the WELCOME runs in one synchronous step, so of two connections racing
 * for one session each resume is whole, and the later one takes over.
 */
async function tryResume(
  host: HandshakeHost,
  connection: Connection,
  ticket: ResumeTicket,
): Promise<true | ResumeRefusal> {
  const fresh = connection.session
  const target = await host.registry.get(ticket.sessionId)
  if (fresh.state !== SessionState.AUTHENTICATING) return true
  if (target === undefined || target.state === SessionState.CLOSED) {
    return host.expiredReason(ticket.sessionId) ?? ResumeRefusal.UNKNOWN_SESSION
  }
  if (!tokensEqual(ticket.token, target.resumeToken)) {
    return ResumeRefusal.BAD_TOKEN
  }
  // The periodic sweep may not have seen the resume window end yet.
  target.tick(host.clock.now())
  const state = target.state
  if (state !== SessionState.OPEN && state !== SessionState.DETACHED) {
    return host.expiredReason(target.id) ?? ResumeRefusal.WINDOW_OVER
  }
  const replay = target.replayAfter(ticket.lastSeq)
  if (target.replayOverflowed || replay === undefined) {
    return ResumeRefusal.BUFFER_OVERFLOWED
  }
  if (!target.resumable) return ResumeRefusal.WINDOW_OVER
  // Checked before anything changes: a push the new serializer cannot
  // carry (JSON after MessagePack, say) refuses the resume cleanly.
  if (!reencodable(replay, target.serializer, fresh.serializer)) {
    return ResumeRefusal.BUFFER_OVERFLOWED
  }

  const old = target.detachTransport()
  if (old !== undefined) supersede(host, target, old)
  const serializer = fresh.serializer
  fresh.discard()
  connection.session = target
  target.attach(connection, serializer)
  // Asked again: attach re-encodes kept pushes for a new serializer.
  const bodies = target.replayAfter(ticket.lastSeq) ?? []
  target.send(
    serializer.encode(
      envelope.welcome(
        target.id,
        target.resumeToken,
        { resumed: true, replayed: bodies.length },
        host.limits,
      ),
    ),
  )
  // Straight to the connection: these bodies are held in memory already,
  // so they do not count against maxOutboundBytes (a full replay buffer
  // must not close its own resume as a slow reader).
  for (const body of bodies) connection.send(body)
  host.metrics.resumes.inc({ outcome: 'resumed' })
  host.onOpened(target, true)
  return true
}

/** True when every body can be re-encoded from `from` into `to`. */
function reencodable(
  bodies: readonly Buffer[],
  from: Serializer,
  to: Serializer,
): boolean {
  if (from === to) return true
  try {
    for (const body of bodies) to.encode(from.decode(body) as unknown[])
    return true
  } catch {
    return false
  }
}

/**
 * Closes the connection a session was taken from with 4002. Its peer may be
 * gone (a half-open TCP connection), so it is dropped after `closeGraceMs`
 * if it has not ended by then.
 */
function supersede(host: HandshakeHost, session: Session, old: Transport) {
  const reason = 'another connection took this session over'
  const body = session.serializer.encode(
    envelope.close(CloseCode.SUPERSEDED, reason),
  )
  old.end(CloseCode.SUPERSEDED, reason, body)
  setTimeout(() => old.destroy(), host.options.closeGraceMs).unref()
  host.metrics.takeovers.inc()
  host.logger.debug({ sessionId: session.id }, 'session taken over')
}

async function authenticate(
  host: HandshakeHost,
  session: Session,
  hello: EnvelopeOf<typeof Kind.HELLO>,
): Promise<AuthResult | false | 'failed'> {
  // The signal and its timer are made only if the hook asks for them: the
  // anonymous hook of most games never does, and a login storm then makes
  // no timers at all.
  let timer: NodeJS.Timeout | undefined
  let controller: AbortController | undefined
  const timeoutMs = host.options.authTimeoutMs
  const request = {
    credentials: hello.info.credentials,
    client: hello.info.client,
    remoteAddress: session.transport?.remoteAddress ?? '',
    transport: session.transport?.name ?? '',
    get signal(): AbortSignal {
      if (controller === undefined) {
        const made = new AbortController()
        timer = setTimeout(
          () => made.abort(new Error('auth timed out')),
          timeoutMs,
        )
        timer.unref()
        controller = made
      }
      return controller.signal
    },
  }
  try {
    return await host.auth(request)
  } catch (error) {
    host.logger.error(
      { sessionId: session.id, err: String(error).slice(0, 200) },
      'auth hook failed',
    )
    return 'failed'
  } finally {
    if (timer !== undefined) clearTimeout(timer)
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
  let logins: Map<string, Session> | undefined
  if (uid !== undefined) {
    logins = loginsInProgress.get(host) ?? new Map<string, Session>()
    loginsInProgress.set(host, logins)
    const rival = logins.get(uid)
    if (rival !== undefined && !applyLoginPolicy(host, session, rival)) return
    logins.set(uid, session)
  }
  try {
    await open(host, session, result, outcome)
  } finally {
    if (uid !== undefined && logins?.get(uid) === session) logins.delete(uid)
  }
}

async function open(
  host: HandshakeHost,
  session: Session,
  result: AuthResult,
  outcome: ResumeOutcome | null,
): Promise<void> {
  const uid = result.uid
  if (uid !== undefined) {
    const existing = await host.registry.byUid(uid)
    if (session.state !== SessionState.AUTHENTICATING) return
    if (existing !== undefined && existing !== session) {
      if (!applyLoginPolicy(host, session, existing)) return
    }
  }

  session.resumeToken = randomText(RESUME_TOKEN_BYTES)
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

/**
 * A login for a user whose `existing` session is online. Returns true when
 * the login goes on. Under reject-new it is refused (4009) unless the
 * existing session is only detached: a player who lost the connection and
 * logs in afresh must not be locked out for the resume window.
 */
function applyLoginPolicy(
  host: HandshakeHost,
  session: Session,
  existing: Session,
): boolean {
  if (isGone(existing)) return true
  const rejectNew =
    host.options.duplicateLogin === 'reject-new' &&
    existing.state !== SessionState.DETACHED
  if (rejectNew) {
    host.metrics.duplicateLogins.inc({ outcome: 'rejected_new' })
    session.close(CloseCode.LOGIN_REFUSED, 'user already online')
    return false
  }
  host.metrics.duplicateLogins.inc({ outcome: 'kicked_old' })
  existing.close(CloseCode.SUPERSEDED, 'logged in from elsewhere')
  return true
}
