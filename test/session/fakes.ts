import { MsgpackSerializer } from '../../src/codec/index.js'
import type {
  Session,
  SessionHooks,
  SessionLimits,
  SessionState,
  Transport,
} from '../../src/session/index.js'

/** A transport that records what the session asked of it. */
export class RecordingTransport implements Transport {
  readonly name = 'tcp' as const
  readonly remoteAddress = '127.0.0.1'
  bufferedBytes = 0
  readonly sent: Buffer[] = []
  ended: { code: number; reason: string } | undefined
  destroyed = false
  paused = false

  send(body: Buffer): void {
    this.sent.push(body)
  }

  end(code: number, reason: string, closeBody: Buffer | undefined): void {
    if (closeBody !== undefined) this.sent.push(closeBody)
    this.ended = { code, reason }
  }

  destroy(): void {
    this.destroyed = true
  }

  pauseReading(): void {
    this.paused = true
  }

  resumeReading(): void {
    this.paused = false
  }
}

/** Hooks that keep the transitions seen. */
export function recordingHooks(): SessionHooks & {
  transitions: Array<[SessionState, SessionState]>
} {
  const transitions: Array<[SessionState, SessionState]> = []
  return {
    transitions,
    onTransition(_session: Session, from: SessionState, to: SessionState) {
      transitions.push([from, to])
    },
  }
}

export const serializer = new MsgpackSerializer()

export const limits: SessionLimits = Object.freeze({
  handshakeTimeoutMs: 1_000,
  authTimeoutMs: 2_000,
  idleTimeoutMs: 3_000,
  closeGraceMs: 500,
  resumeWindowMs: 10_000,
  maxReplayPushes: 4,
  maxReplayBytes: 1_000,
  maxOutboundBytes: 100,
  maxMessagesPerSecond: 10,
  maxBurstMessages: 5,
  rateLimitCloseAfterMs: 5_000,
  maxPendingRequests: 2,
  maxRememberedResponses: 2,
})
