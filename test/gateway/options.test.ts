import { describe, expect, it } from 'vitest'
import {
  envName,
  optionsFromEnv,
  optionsFromFlags,
  resolveOptions,
} from '../../src/gateway/options.js'

describe('gateway options', () => {
  it('fills in the documented defaults', () => {
    const options = resolveOptions({})
    expect(options).toMatchObject({
      tcpPort: 7000,
      wsPort: 7001,
      linePort: 7002,
      tlsPort: 7443,
      wssPort: 7444,
      opsHost: '127.0.0.1',
      opsPort: 7090,
      maxFrameBytes: 65_536,
      handshakeTimeoutMs: 10_000,
      authTimeoutMs: 10_000,
      heartbeatIntervalMs: 15_000,
      idleTimeoutMs: 45_000,
      maxOutboundBytes: 1_048_576,
      maxMessagesPerSecond: 100,
      maxBurstMessages: 200,
      maxPendingRequests: 64,
      handlerTimeoutMs: 10_000,
      resumeWindowMs: 30_000,
      maxReplayPushes: 1024,
      maxReplayBytes: 1_048_576,
      maxRememberedResponses: 64,
      maxLineBytes: 4096,
      lineIdleTimeoutMs: 600_000,
      maxNestingDepth: 32,
      maxConnections: 100_000,
      maxConnectionsPerIp: 0,
      tlsHandshakeTimeoutMs: 10_000,
      drainDelayMs: 2_000,
      drainTimeoutMs: 30_000,
    })
    expect(Object.isFrozen(options)).toBe(true)
  })

  it('names the option in the error', () => {
    expect(() => resolveOptions({ maxFrameBytes: -1 })).toThrow(
      expect.objectContaining({
        code: 'PORTCULLIS_ERR_INVALID_OPTION',
        message: expect.stringContaining('maxFrameBytes'),
      }),
    )
    expect(() =>
      resolveOptions({ tcpPort: 70_000 as unknown as number }),
    ).toThrow(
      expect.objectContaining({ message: expect.stringContaining('tcpPort') }),
    )
    expect(() =>
      resolveOptions({ bogus: 1 } as unknown as Record<string, never>),
    ).toThrow(
      expect.objectContaining({ code: 'PORTCULLIS_ERR_INVALID_OPTION' }),
    )
  })

  it('refuses an idle timeout shorter than the heartbeat', () => {
    expect(() =>
      resolveOptions({ heartbeatIntervalMs: 5_000, idleTimeoutMs: 4_000 }),
    ).toThrow(
      expect.objectContaining({
        message: expect.stringContaining('idleTimeoutMs'),
      }),
    )
  })

  it('does not change the caller object', () => {
    const input = { tcpPort: 1234 }
    resolveOptions(input)
    expect(input).toEqual({ tcpPort: 1234 })
  })

  it('reads PORTCULLIS_* variables and flags as typed values', () => {
    expect(envName('maxConnectionsPerIp')).toBe(
      'PORTCULLIS_MAX_CONNECTIONS_PER_IP',
    )
    const fromEnv = optionsFromEnv({
      PORTCULLIS_TCP_PORT: '7100',
      PORTCULLIS_WS_PORT: 'off',
      PORTCULLIS_NO_DELAY: 'false',
      UNRELATED: 'x',
    })
    expect(fromEnv).toEqual({ tcpPort: 7100, wsPort: 'off', noDelay: false })
    const fromFlags = optionsFromFlags({
      'line-port': '0',
      'log-level': 'debug',
    })
    expect(fromFlags).toEqual({ linePort: 0, logLevel: 'debug' })
    expect(resolveOptions({ ...fromEnv, ...fromFlags })).toMatchObject({
      tcpPort: 7100,
      wsPort: 'off',
      linePort: 0,
    })
  })
})
