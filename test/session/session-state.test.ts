import { describe, expect, it } from 'vitest'
import {
  nextState,
  SessionEvent,
  SessionState,
} from '../../src/session/session-state.js'

// The expected machine, written out by hand from DESIGN.md: one row per
// state, one column per event, '-' where the move is illegal.
const EVENTS = [
  'hello_received',
  'auth_accepted',
  'transport_lost',
  'resumed',
  'window_over',
  'close_requested',
  'flushed',
] as const

const EXPECTED: Record<string, readonly string[]> = {
  //               hello            auth    lost            resumed window    close      flushed
  handshaking: ['authenticating', '-', 'closed', '-', '-', 'closing', '-'],
  authenticating: ['-', 'open', 'closed', '-', '-', 'closing', '-'],
  open: ['-', '-', 'detached', 'open', '-', 'closing', '-'],
  detached: ['-', '-', '-', 'open', 'closed', 'closing', '-'],
  closing: ['-', '-', 'closed', '-', '-', '-', 'closed'],
  closed: ['-', '-', '-', '-', '-', '-', '-'],
}

describe('session state machine', () => {
  it('has exactly the states and events of the expected matrix', () => {
    expect(Object.values(SessionState).sort()).toEqual(
      Object.keys(EXPECTED).sort(),
    )
    expect(Object.values(SessionEvent).sort()).toEqual([...EVENTS].sort())
  })

  for (const [state, row] of Object.entries(EXPECTED)) {
    EVENTS.forEach((event, column) => {
      const expected = row[column]
      it(`${state} x ${event} -> ${expected}`, () => {
        const actual = nextState(state as SessionState, event as SessionEvent)
        expect(actual ?? '-').toBe(expected)
      })
    })
  }
})
