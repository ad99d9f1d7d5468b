import type { SessionLimits } from '../session/index.js'
import type { ResolvedOptions } from './options.js'

/** The limits of binary sessions (TCP, TLS, WebSocket), from options. */
export function binaryLimits(options: ResolvedOptions): SessionLimits {
  return Object.freeze({
    handshakeTimeoutMs: options.handshakeTimeoutMs,
    authTimeoutMs: options.authTimeoutMs,
    idleTimeoutMs: options.idleTimeoutMs,
    closeGraceMs: options.closeGraceMs,
    resumeWindowMs: options.resumeWindowMs,
    maxReplayPushes: options.maxReplayPushes,
    maxReplayBytes: options.maxReplayBytes,
    maxOutboundBytes: options.maxOutboundBytes,
    maxMessagesPerSecond: options.maxMessagesPerSecond,
    maxBurstMessages: options.maxBurstMessages,
    rateLimitCloseAfterMs: options.rateLimitCloseAfterMs,
    maxPendingRequests: options.maxPendingRequests,
    maxRememberedResponses: options.maxRememberedResponses,
  })
}

/**
 * The limits of line sessions: people type slowly and send no PINGs, and a
 * telnet user cannot resume.
 */
export function lineLimits(options: ResolvedOptions): SessionLimits {
  return Object.freeze({
    ...binaryLimits(options),
    idleTimeoutMs: options.lineIdleTimeoutMs,
    resumeWindowMs: 0,
    maxRememberedResponses: 0,
  })
}

/** The limits a WELCOME announces, so clients adapt to this server. */
export function announcedLimits(
  options: ResolvedOptions,
): Readonly<Record<string, number>> {
  return Object.freeze({
    maxFrameBytes: options.maxFrameBytes,
    heartbeatIntervalMs: options.heartbeatIntervalMs,
    idleTimeoutMs: options.idleTimeoutMs,
    maxMessagesPerSecond: options.maxMessagesPerSecond,
    maxBurstMessages: options.maxBurstMessages,
    resumeWindowMs: options.resumeWindowMs,
    maxReplayPushes: options.maxReplayPushes,
    maxReplayBytes: options.maxReplayBytes,
    maxPendingRequests: options.maxPendingRequests,
    handlerTimeoutMs: options.handlerTimeoutMs,
    maxNestingDepth: options.maxNestingDepth,
    ackEveryPushes: 32,
    ackIntervalMs: 250,
    maxOutboundBytes: options.maxOutboundBytes,
    rateLimitCloseAfterMs: options.rateLimitCloseAfterMs,
    maxRememberedResponses: options.maxRememberedResponses,
  })
}

/**
 * How often the gateway sweeps its sessions' deadlines: a quarter of the
 * shortest deadline, between 10 ms and 1 s, so deadlines land on time
 * within that margin with one timer for every session.
 */
export function sweepIntervalMs(options: ResolvedOptions): number {
  const shortest = Math.min(
    options.handshakeTimeoutMs,
    options.authTimeoutMs,
    options.idleTimeoutMs,
    options.handlerTimeoutMs,
    options.closeGraceMs,
    options.resumeWindowMs > 0
      ? options.resumeWindowMs
      : Number.POSITIVE_INFINITY,
  )
  return Math.max(10, Math.min(1_000, Math.floor(shortest / 4)))
}
