import { describe, expect, it } from 'vitest'
import { CloseCode, Kind, MsgpackSerializer } from '../../src/codec/index.js'
import { ManualClock, Session, SessionState } from '../../src/session/index.js'
import {
  limits,
  RecordingTransport,
  recordingHooks,
  serializer,
} from './fakes.js'

const decoder = new MsgpackSerializer()

function makeSession(overrides = {}) {
  const clock = new ManualClock(1_000_000)
  const transport = new RecordingTransport()
  const hooks = recordingHooks()
  const session = new Session(
    's1',
    transport,
    serializer,
    { ...limits, ...overrides },
    hooks,
    clock,
  )
  return { session, clock, transport, hooks }
}

function open(session: Session) {
  session.helloReceived()
  session.authenticated('u1', undefined)
}

function lastClose(transport: RecordingTransport) {
  const body = transport.sent.at(-1)
  return body === undefined ? undefined : decoder.decode(body)
}

describe('Session deadlines', () => {
  it('closes with 4008 when no HELLO arrives within handshakeTimeoutMs', () => {
    const { session, clock, transport } = makeSession()
    clock.advance(999)
    session.tick(clock.now())
    expect(session.state).toBe(SessionState.HANDSHAKING)
    clock.advance(1)
    session.tick(clock.now())
    expect(session.state).toBe(SessionState.CLOSING)
    expect(transport.ended?.code).toBe(CloseCode.HANDSHAKE_TIMEOUT)
    expect(lastClose(transport)).toEqual([Kind.CLOSE, 4008, 'no HELLO in time'])
  })

  it('closes with 4001 when auth takes longer than authTimeoutMs', () => {
    const { session, clock, transport } = makeSession()
    session.helloReceived()
    clock.advance(2_000)
    session.tick(clock.now())
    expect(transport.ended?.code).toBe(CloseCode.AUTH_FAILED)
  })

  it('closes with 4003 after idleTimeoutMs without a message', () => {
    const { session, clock, transport } = makeSession()
    open(session)
    clock.advance(2_000)
    session.touch()
    session.tick(clock.now())
    clock.advance(2_999)
    session.tick(clock.now())
    expect(session.state).toBe(SessionState.OPEN)
    clock.advance(1)
    session.tick(clock.now())
    expect(transport.ended?.code).toBe(CloseCode.IDLE_TIMEOUT)
  })

  it('drops a closing session whose transport never finishes', () => {
    const { session, clock, transport } = makeSession()
    open(session)
    session.close(CloseCode.NORMAL)
    clock.advance(500)
    session.tick(clock.now())
    expect(transport.destroyed).toBe(true)
    expect(session.state).toBe(SessionState.CLOSED)
  })

  it('waits detached for resumeWindowMs, then closes', () => {
    const { session, clock, hooks } = makeSession()
    open(session)
    session.transportLost()
    expect(session.state).toBe(SessionState.DETACHED)
    clock.advance(9_999)
    session.tick(clock.now())
    expect(session.state).toBe(SessionState.DETACHED)
    clock.advance(1)
    session.tick(clock.now())
    expect(session.state).toBe(SessionState.CLOSED)
    expect(hooks.transitions.at(-1)).toEqual(['detached', 'closed'])
  })

  it('ends at once when the transport drops before the session opened', () => {
    const { session } = makeSession()
    session.transportLost()
    expect(session.state).toBe(SessionState.CLOSED)
  })
})

describe('Session pushes', () => {
  it('numbers pushes from 1 and keeps them until acknowledged', () => {
    const { session, transport } = makeSession()
    open(session)
    expect(session.push('a', 1)).toBe(1)
    expect(session.push('b', 2)).toBe(2)
    expect(transport.sent.map((b) => decoder.decode(b))).toEqual([
      [Kind.PUSH, 1, 'a', 1],
      [Kind.PUSH, 2, 'b', 2],
    ])
    expect(session.replayAfter(0)?.length).toBe(2)
    session.acknowledge(1)
    expect(session.replayAfter(1)?.map((b) => decoder.decode(b))).toEqual([
      [Kind.PUSH, 2, 'b', 2],
    ])
  })

  it('marks the session not resumable when the replay buffer overflows', () => {
    const { session } = makeSession()
    open(session)
    for (let i = 0; i < 5; i++) session.push('x', i)
    expect(session.resumable).toBe(false)
    expect(session.replayAfter(0)).toBeUndefined()
  })

  it('aborts with 4004 when unsent output passes maxOutboundBytes', () => {
    const { session, transport } = makeSession()
    open(session)
    transport.bufferedBytes = 101
    session.push('x', 'y')
    expect(transport.destroyed).toBe(true)
    expect(session.closeInfo?.code).toBe(CloseCode.SLOW_READER)
    expect(session.state).toBe(SessionState.CLOSED)
  })
})

describe('Session requests', () => {
  it('pauses reading at maxPendingRequests and resumes below it', () => {
    const { session, transport } = makeSession()
    open(session)
    expect(session.requestStarted(1)).toBe(true)
    expect(transport.paused).toBe(false)
    expect(session.requestStarted(2)).toBe(true)
    expect(transport.paused).toBe(true)
    session.requestFinished(1, Buffer.from([0x90]))
    expect(transport.paused).toBe(false)
  })

  it('refuses to run a request id that is still running', () => {
    const { session } = makeSession()
    open(session)
    expect(session.requestStarted(7)).toBe(true)
    expect(session.requestStarted(7)).toBe(false)
  })

  it('remembers the last maxRememberedResponses responses', () => {
    const { session } = makeSession()
    open(session)
    for (const id of [1, 2, 3]) {
      session.requestStarted(id)
      session.requestFinished(id, Buffer.from([id]))
    }
    expect(session.rememberedResponse(1)).toBeUndefined()
    expect(session.rememberedResponse(3)).toEqual(Buffer.from([3]))
  })

  it('sends CLOSE only after pending requests answered when asked to', async () => {
    const { session, transport } = makeSession()
    open(session)
    session.requestStarted(1)
    session.close(CloseCode.GOING_AWAY, 'bye', {
      afterPending: true,
      retryAfterMs: 500,
    })
    expect(transport.ended).toBeUndefined()
    session.requestFinished(1, Buffer.from([0x91, 0x01]))
    await new Promise((resolve) => process.nextTick(resolve))
    expect(transport.ended?.code).toBe(CloseCode.GOING_AWAY)
    expect(decoder.decode(transport.sent.at(-1)!)).toEqual([
      Kind.CLOSE,
      1001,
      'bye',
      500,
    ])
  })
})

describe('Session rate budget', () => {
  it('allows a burst of maxBurstMessages, then refuses', () => {
    const { session, clock } = makeSession()
    open(session)
    const now = clock.now()
    for (let i = 0; i < 5; i++) expect(session.takeBudget(now)).toBe(true)
    expect(session.takeBudget(now)).toBe(false)
    expect(session.takeBudget(now + 100)).toBe(true)
  })

  it('closes with 4029 after 5 s of a flood at ten times the rate', () => {
    const { session, clock, transport } = makeSession()
    open(session)
    const start = clock.now()
    let firstRefusal = -1
    let closedAt = -1
    for (let t = 0; t <= 7_000 && closedAt < 0; t += 10) {
      const ok = session.takeBudget(start + t)
      if (!ok && firstRefusal < 0) firstRefusal = t
      if (transport.ended !== undefined) closedAt = t
    }
    expect(transport.ended?.code).toBe(CloseCode.RATE_LIMITED)
    expect(closedAt - firstRefusal).toBeGreaterThanOrEqual(5_000)
    expect(closedAt - firstRefusal).toBeLessThan(5_100)
  })

  it('forgives a spell over budget after a quiet second', () => {
    const { session, clock, transport } = makeSession()
    open(session)
    const start = clock.now()
    for (let i = 0; i < 6; i++) session.takeBudget(start)
    session.takeBudget(start + 4_000)
    for (let i = 0; i < 6; i++) session.takeBudget(start + 6_000)
    expect(transport.ended).toBeUndefined()
  })
})

describe('Session.close codes', () => {
  it('throws at once for a code that cannot be sent', () => {
    const { session, transport } = makeSession()
    open(session)
    expect(() => session.close(1006)).toThrow(
      expect.objectContaining({ code: 'PORTCULLIS_ERR_INVALID_CLOSE_CODE' }),
    )
    expect(() => session.close(5000)).toThrow()
    expect(transport.ended).toBeUndefined()
    session.close(4321, 'game over')
    expect(transport.ended?.code).toBe(4321)
  })
})
