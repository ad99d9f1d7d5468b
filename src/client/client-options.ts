import type { ConnectionOptions } from 'node:tls'
import {
  PortcullisError,
  PortcullisErrorCode,
} from '../codec/portcullis-error.js'
import type { BackoffPolicy } from './backoff.js'

/** How the client reconnects after losing its connection. */
export interface ReconnectOptions {
  /** Reconnect at all (default true). */
  enabled?: boolean
  /** Ceiling of the first delay, in ms (default 250). */
  initialDelayMs?: number
  /** Largest delay, in ms (default 30,000). */
  maxDelayMs?: number
  /** Growth of the delay ceiling per failed attempt (default 2). */
  multiplier?: number
  /** Failed attempts in a row before giving up (default: never give up). */
  maxAttempts?: number
  /** Source of randomness for jitter, in [0, 1) (default Math.random). */
  random?: () => number
}

/** Options of a Portcullis client. */
export interface ClientOptions {
  /** Passed to the server's auth hook in HELLO. */
  credentials?: unknown
  /** Describes the client to the server (name, version, platform). */
  client?: unknown
  /** Body encoding; default 'msgpack'. 'json' needs `Buffer` in browsers. */
  serializer?: 'msgpack' | 'json'
  /** Default time a request waits for its response, in ms (10 s). */
  requestTimeoutMs?: number
  /** Time to connect and complete the handshake, in ms (10 s). */
  connectTimeoutMs?: number
  /** Largest frame accepted from the server, in bytes (64 KiB). */
  maxFrameBytes?: number
  /** Send PINGs at the interval WELCOME announces (default true). */
  heartbeat?: boolean
  /** Reconnection; `false` turns it off. */
  reconnect?: ReconnectOptions | false
  /** Messages kept while no session is open, by count (default 256). */
  maxQueuedMessages?: number
  /** Messages kept while no session is open, by bytes (default 256 KiB). */
  maxQueuedBytes?: number
  /** Time `close` waits for the server's goodbye, in ms (default 2 s). */
  closeTimeoutMs?: number
  /** TLS settings for tls:// and wss:// in Node (for example `ca`). */
  tls?: ConnectionOptions
  /** Local address to connect from (Node only). */
  localAddress?: string
}

/** Options after defaults; frozen. */
export interface ResolvedClientOptions {
  readonly credentials: unknown
  readonly client: unknown
  readonly serializer: 'msgpack' | 'json'
  readonly requestTimeoutMs: number
  readonly connectTimeoutMs: number
  readonly maxFrameBytes: number
  readonly heartbeat: boolean
  readonly reconnect: boolean
  readonly backoff: BackoffPolicy
  readonly maxReconnectAttempts: number
  readonly random: () => number
  readonly maxQueuedMessages: number
  readonly maxQueuedBytes: number
  readonly closeTimeoutMs: number
  readonly tls: ConnectionOptions | undefined
  readonly localAddress: string | undefined
}

/** The URL schemes a client can connect to. */
export const CLIENT_SCHEMES = ['tcp:', 'tls:', 'ws:', 'wss:'] as const

function checked(name: string, value: number | undefined, fallback: number) {
  const result = value ?? fallback
  if (!(result >= 0) || Number.isNaN(result)) {
    throw new PortcullisError(
      PortcullisErrorCode.INVALID_OPTION,
      `${name} must be a non-negative number, got ${String(value)}`,
    )
  }
  return result
}

/** Resolves and checks client options once; the caller's object is kept. */
export function resolveClientOptions(
  options: ClientOptions,
): ResolvedClientOptions {
  const reconnect = options.reconnect === false ? {} : (options.reconnect ?? {})
  const initialDelayMs = checked(
    'reconnect.initialDelayMs',
    reconnect.initialDelayMs,
    250,
  )
  const maxDelayMs = checked('reconnect.maxDelayMs', reconnect.maxDelayMs, 30e3)
  const multiplier = checked('reconnect.multiplier', reconnect.multiplier, 2)
  return Object.freeze({
    credentials: options.credentials,
    client: options.client,
    serializer: options.serializer === 'json' ? 'json' : 'msgpack',
    requestTimeoutMs: checked(
      'requestTimeoutMs',
      options.requestTimeoutMs,
      10e3,
    ),
    connectTimeoutMs: checked(
      'connectTimeoutMs',
      options.connectTimeoutMs,
      10e3,
    ),
    maxFrameBytes: checked('maxFrameBytes', options.maxFrameBytes, 64 * 1024),
    heartbeat: options.heartbeat !== false,
    reconnect: options.reconnect !== false && reconnect.enabled !== false,
    backoff: Object.freeze({ initialDelayMs, maxDelayMs, multiplier }),
    maxReconnectAttempts: checked(
      'reconnect.maxAttempts',
      reconnect.maxAttempts,
      Number.POSITIVE_INFINITY,
    ),
    random: reconnect.random ?? Math.random,
    maxQueuedMessages: checked(
      'maxQueuedMessages',
      options.maxQueuedMessages,
      256,
    ),
    maxQueuedBytes: checked(
      'maxQueuedBytes',
      options.maxQueuedBytes,
      256 * 1024,
    ),
    closeTimeoutMs: checked('closeTimeoutMs', options.closeTimeoutMs, 2e3),
    tls: options.tls,
    localAddress: options.localAddress,
  })
}

/** Parses and checks the URLs to connect to; a bad one throws at once. */
export function parseClientUrls(
  url: string | URL | readonly (string | URL)[],
): URL[] {
  const list = Array.isArray(url) ? url : [url as string | URL]
  if (list.length === 0) {
    throw new PortcullisError(
      PortcullisErrorCode.INVALID_OPTION,
      'at least one URL is needed',
    )
  }
  return list.map((item) => {
    const parsed = new URL(item)
    if (!(CLIENT_SCHEMES as readonly string[]).includes(parsed.protocol)) {
      throw new PortcullisError(
        PortcullisErrorCode.INVALID_OPTION,
        `unsupported URL scheme ${parsed.protocol} (use tcp, tls, ws or wss)`,
      )
    }
    return parsed
  })
}
