import { CloseCode } from './close-codes.js'
import { Kind } from './kinds.js'
import { PortcullisError, PortcullisErrorCode } from './portcullis-error.js'

/** The protocol version this codec speaks (HELLO and WELCOME carry it). */
export const PROTOCOL_VERSION = 1

/** Largest request id and push sequence number: 2^32 - 1 and 2^53 - 1. */
export const MAX_REQUEST_ID = 0xffff_ffff

/** A resume ticket a client presents in HELLO. */
export interface ResumeTicket {
  sessionId: string
  token: string
  /** Highest push sequence the client has seen (0 for none). */
  lastSeq: number
}

/** The optional fields of HELLO; unknown fields are ignored. */
export interface HelloInfo {
  client?: unknown
  credentials?: unknown
  resume?: ResumeTicket
}

/** The outcome of a resume, as WELCOME reports it. */
export type ResumeOutcome =
  | { resumed: true; replayed: number }
  | { resumed: false; reason: string }

/** A response error: a stable code and a short message. */
export interface ResponseError {
  code: string
  message: string
}

/** Every envelope, decoded and checked. */
export type Envelope =
  | { kind: typeof Kind.HELLO; version: number; info: HelloInfo }
  | {
      kind: typeof Kind.WELCOME
      version: number
      sessionId: string
      resumeToken: string
      resume: ResumeOutcome | null
      limits: Record<string, number>
    }
  | { kind: typeof Kind.PING; clientTimeMs: number; lastSeq: number }
  | { kind: typeof Kind.PONG; clientTimeMs: number; serverTimeMs: number }
  | { kind: typeof Kind.REQUEST; id: number; route: string; payload: unknown }
  | {
      kind: typeof Kind.RESPONSE
      id: number
      payload: unknown
      error: ResponseError | null
    }
  | { kind: typeof Kind.NOTIFY; route: string; payload: unknown }
  | { kind: typeof Kind.PUSH; seq: number; route: string; payload: unknown }
  | { kind: typeof Kind.ACK; lastSeq: number }
  | {
      kind: typeof Kind.CLOSE
      code: number
      reason: string
      retryAfterMs: number | null
    }

/** The envelope of one kind. */
export type EnvelopeOf<K extends Kind> = Extract<Envelope, { kind: K }>

function bad(message: string): PortcullisError {
  return new PortcullisError(PortcullisErrorCode.BAD_ENVELOPE, message, {
    closeCode: CloseCode.PROTOCOL_ERROR,
  })
}

function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function parseResume(value: unknown): ResumeTicket | undefined {
  if (!isRecord(value)) return undefined
  const { sessionId, token, lastSeq } = value
  if (typeof sessionId !== 'string' || typeof token !== 'string') {
    return undefined
  }
  return { sessionId, token, lastSeq: isCount(lastSeq) ? lastSeq : 0 }
}

function parseHello(body: unknown[]): Envelope {
  const [, version, info] = body
  if (!isCount(version)) throw bad('HELLO needs a protocol version')
  const hello: HelloInfo = {}
  if (isRecord(info)) {
    if (info.client !== undefined) hello.client = info.client
    if (info.credentials !== undefined) hello.credentials = info.credentials
    const resume = parseResume(info.resume)
    if (resume !== undefined) hello.resume = resume
  }
  return { kind: Kind.HELLO, version, info: hello }
}

function parseWelcome(body: unknown[]): Envelope {
  const [, version, sessionId, resumeToken, resume, limits] = body
  if (
    !isCount(version) ||
    typeof sessionId !== 'string' ||
    typeof resumeToken !== 'string'
  ) {
    throw bad('WELCOME needs version, session id and resume token')
  }
  return {
    kind: Kind.WELCOME,
    version,
    sessionId,
    resumeToken,
    resume: isRecord(resume) ? (resume as ResumeOutcome) : null,
    limits: isRecord(limits) ? (limits as Record<string, number>) : {},
  }
}

function parseResponse(body: unknown[]): Envelope {
  const [, id, payload, error] = body
  if (!isCount(id)) throw bad('RESPONSE needs a request id')
  if (error === undefined || error === null) {
    return { kind: Kind.RESPONSE, id, payload, error: null }
  }
  if (!isRecord(error) || typeof error.code !== 'string') {
    throw bad('RESPONSE error needs a string code')
  }
  const message = typeof error.message === 'string' ? error.message : ''
  return {
    kind: Kind.RESPONSE,
    id,
    payload: null,
    error: { code: error.code, message },
  }
}

function parseClose(body: unknown[]): Envelope {
  const [, code, reason, retryAfterMs] = body
  if (!isCount(code)) throw bad('CLOSE needs a numeric code')
  return {
    kind: Kind.CLOSE,
    code,
    reason: typeof reason === 'string' ? reason : '',
    retryAfterMs: isCount(retryAfterMs) ? retryAfterMs : null,
  }
}

/**
 * Checks a decoded body and returns its envelope. Throws a PortcullisError
 * with close code 1002 when the body is not a well-formed envelope. Extra
 * trailing elements are ignored, so later versions can add fields.
 */
export function parseEnvelope(body: unknown): Envelope {
  if (!Array.isArray(body) || body.length === 0) {
    throw bad('a body must be an array whose first element is the kind')
  }
  const kind = body[0]
  switch (kind) {
    case Kind.REQUEST: {
      const [, id, route, payload] = body
      if (!isCount(id) || id > MAX_REQUEST_ID) {
        throw bad('REQUEST needs a request id from 0 to 2^32 - 1')
      }
      if (typeof route !== 'string') throw bad('REQUEST needs a route')
      return { kind, id, route, payload }
    }
    case Kind.NOTIFY: {
      const [, route, payload] = body
      if (typeof route !== 'string') throw bad('NOTIFY needs a route')
      return { kind, route, payload }
    }
    case Kind.ACK: {
      const [, lastSeq] = body
      if (!isCount(lastSeq)) throw bad('ACK needs a sequence number')
      return { kind, lastSeq }
    }
    case Kind.PING: {
      const [, clientTimeMs, lastSeq] = body
      return {
        kind,
        clientTimeMs: typeof clientTimeMs === 'number' ? clientTimeMs : 0,
        lastSeq: isCount(lastSeq) ? lastSeq : 0,
      }
    }
    case Kind.PONG: {
      const [, clientTimeMs, serverTimeMs] = body
      if (typeof clientTimeMs !== 'number' || typeof serverTimeMs !== 'number')
        throw bad('PONG needs two clock readings')
      return { kind, clientTimeMs, serverTimeMs }
    }
    case Kind.PUSH: {
      const [, seq, route, payload] = body
      if (!isCount(seq) || typeof route !== 'string') {
        throw bad('PUSH needs a sequence number and a route')
      }
      return { kind, seq, route, payload }
    }
    case Kind.HELLO:
      return parseHello(body)
    case Kind.WELCOME:
      return parseWelcome(body)
    case Kind.RESPONSE:
      return parseResponse(body)
    case Kind.CLOSE:
      return parseClose(body)
    default:
      throw bad(`unknown envelope kind ${String(kind).slice(0, 20)}`)
  }
}

/** Envelope arrays, ready for a serializer. One builder per kind. */
export const envelope = {
  hello: (info: HelloInfo, version = PROTOCOL_VERSION): unknown[] => [
    Kind.HELLO,
    version,
    info,
  ],
  welcome: (
    sessionId: string,
    resumeToken: string,
    resume: ResumeOutcome | null,
    limits: Readonly<Record<string, number>>,
  ): unknown[] => [
    Kind.WELCOME,
    PROTOCOL_VERSION,
    sessionId,
    resumeToken,
    resume,
    limits,
  ],
  ping: (clientTimeMs: number, lastSeq: number): unknown[] => [
    Kind.PING,
    clientTimeMs,
    lastSeq,
  ],
  pong: (clientTimeMs: number, serverTimeMs: number): unknown[] => [
    Kind.PONG,
    clientTimeMs,
    serverTimeMs,
  ],
  request: (id: number, route: string, payload: unknown): unknown[] => [
    Kind.REQUEST,
    id,
    route,
    payload,
  ],
  response: (id: number, payload: unknown): unknown[] => [
    Kind.RESPONSE,
    id,
    payload,
  ],
  errorResponse: (id: number, error: ResponseError): unknown[] => [
    Kind.RESPONSE,
    id,
    null,
    { code: error.code, message: error.message },
  ],
  notify: (route: string, payload: unknown): unknown[] => [
    Kind.NOTIFY,
    route,
    payload,
  ],
  push: (seq: number, route: string, payload: unknown): unknown[] => [
    Kind.PUSH,
    seq,
    route,
    payload,
  ],
  ack: (lastSeq: number): unknown[] => [Kind.ACK, lastSeq],
  close: (code: number, reason: string, retryAfterMs?: number): unknown[] =>
    retryAfterMs === undefined
      ? [Kind.CLOSE, code, reason]
      : [Kind.CLOSE, code, reason, retryAfterMs],
} as const
