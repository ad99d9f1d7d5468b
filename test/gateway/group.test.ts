import { describe, expect, it, vi } from 'vitest'
import {
  JsonSerializer,
  Kind,
  MsgpackSerializer,
} from '../../src/codec/index.js'
import { Group, Groups } from '../../src/gateway/group.js'
import { ManualClock, Session } from '../../src/session/index.js'
import { limits, RecordingTransport, recordingHooks } from '../session/fakes.js'

function openSession(
  id: string,
  serializer: MsgpackSerializer | JsonSerializer,
): { session: Session; transport: RecordingTransport } {
  const transport = new RecordingTransport()
  const session = new Session(
    id,
    transport,
    serializer,
    { ...limits, maxOutboundBytes: 1 << 20, maxReplayPushes: 1000 },
    recordingHooks(),
    new ManualClock(),
  )
  session.helloReceived()
  session.authenticated(undefined, undefined)
  return { session, transport }
}

describe('Group.broadcast', () => {
  it('encodes route and payload once for 100 members', () => {
    const msgpack = new MsgpackSerializer()
    const tail = vi.spyOn(msgpack, 'encodePushTail')
    const encode = vi.spyOn(msgpack, 'encode')
    const group = new Group('room')
    const members = Array.from({ length: 100 }, (_, i) =>
      openSession(`s${i}`, msgpack),
    )
    for (const { session } of members) group.add(session)

    expect(group.broadcast('state', { tick: 1, x: [1, 2, 3] })).toBe(100)

    expect(tail).toHaveBeenCalledTimes(1)
    expect(encode).not.toHaveBeenCalled()
    for (const { transport } of members) {
      expect(transport.sent.map((b) => msgpack.decode(b))).toEqual([
        [Kind.PUSH, 1, 'state', { tick: 1, x: [1, 2, 3] }],
      ])
    }
  })

  it('encodes once per serializer in use and skips the excluded member', () => {
    const msgpack = new MsgpackSerializer()
    const json = new JsonSerializer()
    const msgpackTail = vi.spyOn(msgpack, 'encodePushTail')
    const jsonTail = vi.spyOn(json, 'encodePushTail')
    const group = new Group('room')
    const a = openSession('a', msgpack)
    const b = openSession('b', json)
    const c = openSession('c', json)
    for (const m of [a, b, c]) group.add(m.session)

    expect(group.broadcast('chat', 'hi', a.session)).toBe(2)

    expect(msgpackTail).not.toHaveBeenCalled()
    expect(jsonTail).toHaveBeenCalledTimes(1)
    expect(a.transport.sent).toHaveLength(0)
    expect(b.transport.sent[0]?.toString()).toBe('[8,1,"chat","hi"]')
    expect(c.transport.sent[0]?.toString()).toBe('[8,1,"chat","hi"]')
  })

  it('forgets members when their session closes', () => {
    const group = new Group('room')
    const { session } = openSession('a', new MsgpackSerializer())
    group.add(session)
    session.close(1000)
    session.transportLost()
    expect(group.size).toBe(0)
  })
})

describe('Groups', () => {
  it('makes a group on first use and forgets it on delete', () => {
    const groups = new Groups()
    const room = groups.get('room')
    expect(groups.get('room')).toBe(room)
    const { session } = openSession('a', new MsgpackSerializer())
    room.add(session)
    expect(groups.delete('room')).toBe(true)
    expect(room.size).toBe(0)
    expect(groups.delete('room')).toBe(false)
    expect(groups.get('room')).not.toBe(room)
  })
})

describe('Group.add and closed sessions', () => {
  it('does not keep a session that closed before it was added', () => {
    const group = new Group('late')
    const { session } = openSession('gone', new MsgpackSerializer())
    session.close(1000)
    session.transportLost()
    group.add(session)
    expect(group.size).toBe(0)
  })
})
