import { describe, expect, it } from 'vitest'
import {
  ackBody,
  BodyKind,
  bodyKind,
  HELLO_BODY,
  pingBody,
  readPush,
  requestTemplate,
  responseId,
} from '../../src/bench-kit/wire.js'
import {
  envelope,
  Kind,
  MsgpackSerializer,
  parseEnvelope,
} from '../../src/codec/index.js'

const serializer = new MsgpackSerializer()

describe('bench wire templates', () => {
  it('builds a REQUEST the gateway decodes, with the id patched in place', () => {
    const { body, idOffset } = requestTemplate()
    body.writeUInt32BE(70_000, idOffset)

    const decoded = parseEnvelope(serializer.decode(body))

    expect(decoded).toMatchObject({ kind: Kind.REQUEST, id: 70_000 })
    expect(decoded.kind === Kind.REQUEST && decoded.route).toBe('echo')
  })

  it('builds HELLO, PING and ACK bodies the gateway decodes', () => {
    expect(parseEnvelope(serializer.decode(HELLO_BODY)).kind).toBe(Kind.HELLO)
    expect(parseEnvelope(serializer.decode(pingBody(1234, 7)))).toEqual({
      kind: Kind.PING,
      clientTimeMs: 1234,
      lastSeq: 7,
    })
    expect(parseEnvelope(serializer.decode(ackBody(300)))).toEqual({
      kind: Kind.ACK,
      lastSeq: 300,
    })
  })

  it('reads the id of every width of RESPONSE the gateway encodes', () => {
    for (const id of [1, 200, 60_000, 4_000_000_000]) {
      const body = serializer.encode(envelope.response(id, Buffer.alloc(64)))
      expect(bodyKind(body, 0)).toBe(BodyKind.RESPONSE)
      expect(responseId(body, 0)).toBe(id)
    }
  })

  it('reads the sequence and stamp of a broadcast PUSH', () => {
    const payload = Buffer.alloc(64)
    payload.writeDoubleBE(123_456.5, 0)
    const tail = serializer.encodePushTail('state', payload)
    const body = serializer.encodePush(513, tail)

    expect(bodyKind(body, 0)).toBe(BodyKind.PUSH)
    expect(readPush(body, 0)).toEqual({ seq: 513, stampUs: 123_456.5 })
  })
})
