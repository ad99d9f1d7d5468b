import type { EnvelopeOf, HelloInfo } from '../codec/envelope.js'
import type { Kind } from '../codec/kinds.js'
import type { ResumeRefusedInfo, Welcome } from './client-events.js'
import type { ResolvedClientOptions } from './client-options.js'

/** What a WELCOME means for the session the client had before. */
export interface WelcomeOutcome {
  readonly welcome: Welcome
  /** True when the earlier session goes on, nothing lost. */
  readonly resumed: boolean
  /** Why the earlier session is lost; null when resumed or first. */
  readonly refused: ResumeRefusedInfo | null
  /** Pushes the server replayed after the resume. */
  readonly replayed: number
}

/**
 * The HELLO of the next attempt: who the client is and, once a session
 * was open, the ticket that resumes it from push `lastSeq`.
 */
export function helloInfo(
  options: Pick<ResolvedClientOptions, 'client' | 'credentials'>,
  previous: Welcome | undefined,
  lastSeq: number,
): HelloInfo {
  const info: HelloInfo = {}
  if (options.client !== undefined) info.client = options.client
  if (options.credentials !== undefined) {
    info.credentials = options.credentials
  }
  if (previous !== undefined) {
    info.resume = {
      sessionId: previous.sessionId,
      token: previous.resumeToken,
      lastSeq,
    }
  }
  return info
}

/**
 * Reads a WELCOME against the session the client had (`previous`): it
 * resumed only when the server says so for that same session id.
 */
export function readWelcome(
  message: EnvelopeOf<typeof Kind.WELCOME>,
  previous: Welcome | undefined,
): WelcomeOutcome {
  const welcome: Welcome = {
    sessionId: message.sessionId,
    resumeToken: message.resumeToken,
    resume: message.resume,
    limits: message.limits,
  }
  const outcome = message.resume
  const resumed =
    previous !== undefined &&
    outcome?.resumed === true &&
    message.sessionId === previous.sessionId
  let refused: ResumeRefusedInfo | null = null
  if (previous !== undefined && !resumed) {
    refused = {
      reason: outcome?.resumed === false ? outcome.reason : 'unknown_session',
      previousSessionId: previous.sessionId,
      sessionId: welcome.sessionId,
    }
  }
  const replayed = resumed && outcome?.resumed ? outcome.replayed : 0
  return { welcome, resumed, refused, replayed }
}
