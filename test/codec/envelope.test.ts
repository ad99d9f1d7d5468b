import { describe, expect, it } from 'vitest'
import {
  PortcullisError,
  PortcullisErrorCode,
  parseEnvelope,
} from '../../src/codec/index.js'

describe('parseEnvelope', () => {
  it.each([
    [
      'HELLO',
      [1, 1, { client: 'x', credentials: { name: 'ann' } }],
      {
        kind: 1,
        version: 1,
        info: { client: 'x', credentials: { name: 'ann' } },
      },
    ],
    [
      'HELLO with a resume ticket',
      [1, 1, { resume: { sessionId: 's1', token: 't', lastSeq: 9 } }],
      {
        kind: 1,
        version: 1,
        info: { resume: { sessionId: 's1', token: 't', lastSeq: 9 } },
      },
    ],
    [
      'WELCOME',
      [2, 1, 's1', 't', null, { maxFrameBytes: 65_536 }],
      {
        kind: 2,
        version: 1,
        sessionId: 's1',
        resumeToken: 't',
        resume: null,
        limits: { maxFrameBytes: 65_536 },
      },
    ],
    [
      'WELCOME with a refused resume',
      [2, 1, 's2', 't', { resumed: false, reason: 'bad_token' }, {}],
      {
        kind: 2,
        version: 1,
        sessionId: 's2',
        resumeToken: 't',
        resume: { resumed: false, reason: 'bad_token' },
        limits: {},
      },
    ],
    ['PING', [3, 1000, 4], { kind: 3, clientTimeMs: 1000, lastSeq: 4 }],
    [
      'PONG',
      [4, 1000, 1_700_000_000_000],
      { kind: 4, clientTimeMs: 1000, serverTimeMs: 1_700_000_000_000 },
    ],
    [
      'REQUEST',
      [5, 7, 'echo', { n: 1 }],
      { kind: 5, id: 7, route: 'echo', payload: { n: 1 } },
    ],
    [
      'REQUEST with the largest id',
      [5, 4_294_967_295, 'echo', null],
      { kind: 5, id: 4_294_967_295, route: 'echo', payload: null },
    ],
    [
      'RESPONSE',
      [6, 7, { n: 1 }],
      { kind: 6, id: 7, payload: { n: 1 }, error: null },
    ],
    [
      'RESPONSE with an error',
      [6, 7, null, { code: 'unknown_route', message: 'no' }],
      {
        kind: 6,
        id: 7,
        payload: null,
        error: { code: 'unknown_route', message: 'no' },
      },
    ],
    [
      'NOTIFY',
      [7, 'chat.say', 'hi'],
      { kind: 7, route: 'chat.say', payload: 'hi' },
    ],
    [
      'PUSH',
      [8, 300, 'tick', true],
      { kind: 8, seq: 300, route: 'tick', payload: true },
    ],
    ['ACK', [9, 32], { kind: 9, lastSeq: 32 }],
    [
      'CLOSE',
      [10, 1000, 'bye'],
      { kind: 10, code: 1000, reason: 'bye', retryAfterMs: null },
    ],
    [
      'CLOSE with retryAfterMs',
      [10, 1001, 'going away', 5000],
      { kind: 10, code: 1001, reason: 'going away', retryAfterMs: 5000 },
    ],
  ])('accepts %s', (_title, body, expected) => {
    expect(parseEnvelope(body)).toEqual(expected)
  })

  it('ignores trailing extra elements', () => {
    expect(parseEnvelope([9, 3, 'later', { field: 1 }])).toEqual({
      kind: 9,
      lastSeq: 3,
    })
    expect(parseEnvelope([7, 'r', 1, 2, 3])).toEqual({
      kind: 7,
      route: 'r',
      payload: 1,
    })
  })

  it('ignores unknown HELLO keys and malformed resume tickets', () => {
    expect(
      parseEnvelope([1, 1, { later: true, resume: { sessionId: 5 } }]),
    ).toEqual({ kind: 1, version: 1, info: {} })
  })

  it.each([
    ['a string', 'hello'],
    ['a number', 5],
    ['null', null],
    ['a map', { kind: 5 }],
    ['an empty array', []],
    ['kind 0', [0]],
    ['kind 11', [11, 1]],
    ['a string kind', ['5', 1, 'r', null]],
    ['HELLO without a version', [1]],
    ['HELLO with a negative version', [1, -1, {}]],
    ['WELCOME with a numeric session id', [2, 1, 5, 't', null, {}]],
    ['WELCOME without a resume token', [2, 1, 's1']],
    ['PONG with a string clock', [4, 'now', 1]],
    ['REQUEST with a negative id', [5, -1, 'r', null]],
    ['REQUEST with a fractional id', [5, 1.5, 'r', null]],
    ['REQUEST with an id of 2^32', [5, 4_294_967_296, 'r', null]],
    ['REQUEST with a numeric route', [5, 1, 7, null]],
    ['REQUEST without a route', [5, 1]],
    ['RESPONSE with a string id', [6, '1', null]],
    ['RESPONSE whose error is a string', [6, 1, null, 'oops']],
    ['RESPONSE whose error code is a number', [6, 1, null, { code: 5 }]],
    ['NOTIFY with a numeric route', [7, 5, null]],
    ['PUSH with a string sequence number', [8, '1', 'r', null]],
    ['PUSH without a route', [8, 1]],
    ['ACK without a sequence number', [9]],
    ['ACK with a negative sequence number', [9, -1]],
    ['CLOSE with a string code', [10, '1000', 'bye']],
  ])('rejects %s with close code 1002', (_title, body) => {
    let caught: unknown
    try {
      parseEnvelope(body)
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(PortcullisError)
    expect((caught as PortcullisError).code).toBe(
      PortcullisErrorCode.BAD_ENVELOPE,
    )
    expect((caught as PortcullisError).closeCode).toBe(1002)
  })
})
