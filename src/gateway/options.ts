import { randomBytes } from 'node:crypto'
import { z } from 'zod'
import { PortcullisError, PortcullisErrorCode } from '../codec/index.js'

const KIB = 1024
const MIB = 1024 * KIB

const port = z.union([z.int().min(0).max(65_535), z.literal('off')], {
  error: 'expected a port number from 0 to 65535, or off',
})
const count = z.int().min(0)
const positive = z.int().min(1)
const ms = z.int().min(1)

/**
 * Every gateway option with its default. Names carry units: `max...` for
 * sizes and counts, `...Ms` for times. A port of 0 takes a free port;
 * 'off' turns that listener off.
 */
const schema = z.strictObject({
  /** Host the game listeners bind; unset = every IPv4 and IPv6 address. */
  host: z.string().min(1).optional(),
  tcpPort: port.default(7000),
  wsPort: port.default(7001),
  /** URL path of the WebSocket upgrade. */
  wsPath: z.string().startsWith('/').default('/'),
  linePort: port.default(7002),
  tlsPort: port.default(7443),
  wssPort: port.default(7444),
  opsHost: z.string().min(1).default('127.0.0.1'),
  opsPort: port.default(7090),
  /** Pending connections the kernel queues per listener. */
  maxListenBacklog: positive.default(2048),
  noDelay: z.boolean().default(true),
  keepAlive: z.boolean().default(true),
  keepAliveInitialDelayMs: ms.default(30_000),

  maxFrameBytes: z
    .int()
    .min(64)
    .max(0xffff_ffff)
    .default(64 * KIB),
  maxNestingDepth: z.int().min(2).max(1000).default(32),
  handshakeTimeoutMs: ms.default(10_000),
  authTimeoutMs: ms.default(10_000),
  heartbeatIntervalMs: ms.default(15_000),
  idleTimeoutMs: ms.default(45_000),
  maxOutboundBytes: positive.default(MIB),
  maxMessagesPerSecond: positive.default(100),
  maxBurstMessages: positive.default(200),
  rateLimitCloseAfterMs: ms.default(5_000),
  maxPendingRequests: positive.default(64),
  handlerTimeoutMs: ms.default(10_000),
  resumeWindowMs: count.default(30_000),
  maxReplayPushes: count.default(1024),
  maxReplayBytes: count.default(MIB),
  maxRememberedResponses: count.default(64),
  closeGraceMs: ms.default(5_000),
  maxConnections: positive.default(100_000),
  /** 0 = no per-IP limit (players behind one NAT share an address). */
  maxConnectionsPerIp: count.default(0),
  /** Connections allowed between accept and WELCOME at once. */
  maxHandshakes: positive.default(20_000),
  /** Seconds suggested to refused clients (Retry-After, retryAfterMs). */
  retryAfterMs: ms.default(5_000),
  /** Who wins when a user logs in twice: the new login or the old one. */
  duplicateLogin: z.enum(['kick-old', 'reject-new']).default('kick-old'),
  /** Accept WebSocket text messages as JSON bodies (debugging). */
  wsAllowText: z.boolean().default(true),
  wsPerMessageDeflate: z.boolean().default(false),

  maxLineBytes: z
    .int()
    .min(16)
    .default(4 * KIB),
  lineIdleTimeoutMs: ms.default(600_000),
  /** Route on which each line of a line session arrives as a NOTIFY. */
  lineRoute: z.string().min(1).default('line'),

  tlsHandshakeTimeoutMs: ms.default(10_000),
  /** A directory holding server.pem and server-key.pem, or 'self-signed'. */
  tls: z.string().min(1).optional(),
  tlsCert: z.string().min(1).optional(),
  tlsKey: z.string().min(1).optional(),
  tlsPfx: z.string().min(1).optional(),
  tlsPassphrase: z.string().optional(),
  /** Where generated state (self-signed certificates) is kept. */
  dataDir: z.string().min(1).default('./.portcullis'),

  /** Time between readiness turning 503 and listeners closing. */
  drainDelayMs: count.default(2_000),
  /** Time a drain may take before remaining sessions are dropped. */
  drainTimeoutMs: ms.default(30_000),
  /** Prefix of this node's session ids. */
  nodeId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,32}$/)
    .default(() => randomBytes(3).toString('hex')),
  logLevel: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info'),
})

/** Options as a caller gives them: every field optional. */
export type GatewayOptions = z.input<typeof schema>

/** Options after defaults and validation; frozen. */
export type ResolvedOptions = Readonly<z.output<typeof schema>>

/** The default of every option (a random nodeId aside). */
export function defaultOptions(): ResolvedOptions {
  return Object.freeze(schema.parse({}))
}

/** Names of every option, for flags and environment variables. */
export const optionNames: readonly string[] = Object.keys(schema.shape)

/** `tcpPort` -> `PORTCULLIS_TCP_PORT`. */
export function envName(option: string): string {
  return `PORTCULLIS_${option.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`
}

/** `tcpPort` -> `tcp-port`. */
export function flagName(option: string): string {
  return option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
}

/** Reads text from flags or the environment as the option's type. */
function fromText(text: string): unknown {
  if (text === 'true') return true
  if (text === 'false') return false
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text)
  return text
}

/**
 * Reads `PORTCULLIS_*` variables into options. Values are converted from
 * text; validation happens in `resolveOptions`.
 */
export function optionsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): GatewayOptions {
  const out: Record<string, unknown> = {}
  for (const name of optionNames) {
    const value = env[envName(name)]
    if (value !== undefined && value !== '') out[name] = fromText(value)
  }
  return out as GatewayOptions
}

/** Converts `--flag value` pairs (already split) into options. */
export function optionsFromFlags(
  flags: Readonly<Record<string, string | boolean | undefined>>,
): GatewayOptions {
  const out: Record<string, unknown> = {}
  for (const name of optionNames) {
    const value = flags[flagName(name)]
    if (value === undefined) continue
    out[name] = typeof value === 'string' ? fromText(value) : value
  }
  return out as GatewayOptions
}

/**
 * Validates options and fills in defaults. Throws a PortcullisError naming
 * every bad option. The caller's object is not changed.
 */
export function resolveOptions(input: GatewayOptions = {}): ResolvedOptions {
  const result = schema.safeParse(input)
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const name = issue.path.join('.')
      if (name === '') return issue.message
      return `${name} (--${flagName(name)}, ${envName(name)}): ${issue.message}`
    })
    throw new PortcullisError(
      PortcullisErrorCode.INVALID_OPTION,
      `invalid gateway options: ${problems.join('; ')}`,
    )
  }
  const options = result.data
  if (options.idleTimeoutMs <= options.heartbeatIntervalMs) {
    throw new PortcullisError(
      PortcullisErrorCode.INVALID_OPTION,
      `idleTimeoutMs (${options.idleTimeoutMs}) must exceed ` +
        `heartbeatIntervalMs (${options.heartbeatIntervalMs})`,
    )
  }
  return Object.freeze(options)
}
