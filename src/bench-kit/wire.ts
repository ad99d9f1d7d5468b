/**
 * Hand-rolled encoders and parsers for exactly the messages the load
 * generator sends and expects. The generator must cost less per message
 * than the server it measures, so it pre-builds templates and reads only
 * the few bytes it needs instead of decoding whole bodies.
 */

/** Bytes of every echo payload, on every target. */
export const PAYLOAD_BYTES = 64

/** The route of the echo handler and of broadcast pushes. */
export const ECHO_ROUTE = 'echo'
export const STATE_ROUTE = 'state'

/** HELLO `[1, 1, {}]`. */
export const HELLO_BODY = Buffer.from([0x93, 0x01, 0x01, 0x80])

const KIND_WELCOME = 0x02
const KIND_PONG = 0x04
const KIND_RESPONSE = 0x06
const KIND_PUSH = 0x08
const KIND_CLOSE = 0x0a

/** What one server body means to the generator. */
export const BodyKind = {
  WELCOME: 'welcome',
  RESPONSE: 'response',
  PUSH: 'push',
  PONG: 'pong',
  CLOSE: 'close',
  OTHER: 'other',
} as const

/** One of the body kinds the generator tells apart. */
export type BodyKind = (typeof BodyKind)[keyof typeof BodyKind]

/** The 64-byte payload every target echoes. */
export function makePayload(): Buffer {
  const payload = Buffer.alloc(PAYLOAD_BYTES)
  for (let i = 0; i < PAYLOAD_BYTES; i += 1) payload[i] = 0x41 + (i % 26)
  return payload
}

/**
 * A REQUEST `[5, id, "echo", bin64]` with the id written as a uint32, so
 * every request has the same size and the id can be patched in place.
 */
export function requestTemplate(): { body: Buffer; idOffset: number } {
  const route = Buffer.from(ECHO_ROUTE)
  const body = Buffer.concat([
    Buffer.from([0x94, 0x05, 0xce, 0, 0, 0, 0, 0xa0 | route.length]),
    route,
    Buffer.from([0xc4, PAYLOAD_BYTES]),
    makePayload(),
  ])
  return { body, idOffset: 3 }
}

/** Reads a MessagePack unsigned integer; returns [value, next offset]. */
export function readUint(data: Buffer, offset: number): [number, number] {
  const head = data[offset] as number
  if (head < 0x80) return [head, offset + 1]
  if (head === 0xcc) return [data[offset + 1] as number, offset + 2]
  if (head === 0xcd) return [data.readUInt16BE(offset + 1), offset + 3]
  if (head === 0xce) return [data.readUInt32BE(offset + 1), offset + 5]
  if (head === 0xcf) {
    return [Number(data.readBigUInt64BE(offset + 1)), offset + 9]
  }
  return [-1, offset + 1]
}

/** The kind of a server body that starts at `offset`. */
export function bodyKind(data: Buffer, offset: number): BodyKind {
  switch (data[offset + 1]) {
    case KIND_RESPONSE:
      return BodyKind.RESPONSE
    case KIND_PUSH:
      return BodyKind.PUSH
    case KIND_PONG:
      return BodyKind.PONG
    case KIND_WELCOME:
      return BodyKind.WELCOME
    case KIND_CLOSE:
      return BodyKind.CLOSE
    default:
      return BodyKind.OTHER
  }
}

/** The request id of a RESPONSE body at `offset`. */
export function responseId(data: Buffer, offset: number): number {
  return readUint(data, offset + 2)[0]
}

/**
 * The sequence number and the server's send time (microseconds of the
 * shared monotonic clock) of a broadcast PUSH `[8, seq, route, bin64]`
 * whose payload starts with a float64 stamp.
 */
export function readPush(
  data: Buffer,
  offset: number,
): { seq: number; stampUs: number } {
  const [seq, afterSeq] = readUint(data, offset + 2)
  const routeLength = (data[afterSeq] as number) & 0x1f
  const payloadAt = afterSeq + 1 + routeLength + 2
  return { seq, stampUs: data.readDoubleBE(payloadAt) }
}

/** An ACK `[9, seq]`. */
export function ackBody(seq: number): Buffer {
  const body = Buffer.allocUnsafe(7)
  body[0] = 0x92
  body[1] = 0x09
  body[2] = 0xce
  body.writeUInt32BE(seq, 3)
  return body
}

/** A PING `[3, clientTimeMs, lastSeq]` with both as uint32. */
export function pingBody(clientTimeMs: number, lastSeq: number): Buffer {
  const body = Buffer.allocUnsafe(12)
  body[0] = 0x93
  body[1] = 0x03
  body[2] = 0xce
  body.writeUInt32BE(clientTimeMs >>> 0, 3)
  body[7] = 0xce
  body.writeUInt32BE(lastSeq >>> 0, 8)
  return body
}

/** A body framed for a stream transport. */
export function frame(body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(4 + body.length)
  out.writeUInt32BE(body.length, 0)
  body.copy(out, 4)
  return out
}
