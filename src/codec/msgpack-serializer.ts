import { addExtension, Packr } from 'msgpackr'
import { CloseCode } from './close-codes.js'
import { withinDepth } from './depth.js'
import { Kind } from './kinds.js'
import { PortcullisError, PortcullisErrorCode } from './portcullis-error.js'
import { type Serializer, SerializerName } from './serializer.js'

// Dates would otherwise leave as the timestamp extension (-1), which some
// client libraries reject; they travel as milliseconds since the epoch, an
// integer (int64 past 32 bits: see wideInteger). msgpackr keeps extensions
// process-wide, so this holds for every Packr.
addExtension({
  Class: Date,
  write: (date: Date) => wideInteger(date.getTime()),
})

/**
 * msgpackr writes any number outside the 32-bit integer range as float64.
 * Clock readings and dates are integers, and strict readers (a C# client
 * reading an Int64) refuse a float64, so such integers go out as BigInt,
 * which msgpackr writes as int64.
 */
function wideInteger(value: number): number | bigint {
  return Number.isSafeInteger(value) &&
    (value > 0xffff_ffff || value < -0x8000_0000)
    ? BigInt(value)
    : value
}

/**
 * Plain MessagePack: no records, no `undefined` extension, no other
 * extension types, minimal map headers. Any MessagePack library can read it.
 */
const packr = new Packr({
  useRecords: false,
  moreTypes: false,
  encodeUndefinedAsNil: true,
  variableMapSize: true,
  largeBigIntToString: true,
  mapsAsObjects: true,
  int64AsType: 'number',
})

const PUSH_HEAD = [0x94, Kind.PUSH] as const

/** Writes `value` as the shortest MessagePack unsigned integer into `out`. */
function writeUint(out: Buffer, offset: number, value: number): number {
  if (value < 0x80) {
    out[offset] = value
    return offset + 1
  }
  if (value < 0x100) {
    out[offset] = 0xcc
    out[offset + 1] = value
    return offset + 2
  }
  if (value < 0x1_0000) {
    out[offset] = 0xcd
    out.writeUInt16BE(value, offset + 1)
    return offset + 3
  }
  if (value < 0x1_0000_0000) {
    out[offset] = 0xce
    out.writeUInt32BE(value, offset + 1)
    return offset + 5
  }
  out[offset] = 0xcf
  out.writeBigUInt64BE(BigInt(value), offset + 1)
  return offset + 9
}

/** The MessagePack serializer (the default). */
export class MsgpackSerializer implements Serializer {
  readonly name = SerializerName.MSGPACK
  readonly binary = true
  readonly maxNestingDepth: number

  /** @param maxNestingDepth deepest nesting a decoded body may have */
  constructor(maxNestingDepth = 32) {
    this.maxNestingDepth = maxNestingDepth
  }

  encode(envelope: readonly unknown[]): Buffer {
    // The envelope's own fields (ids, sequence numbers, clock readings)
    // stay integers on the wire however large; numbers inside payloads
    // follow msgpackr's rules (float64 past 32 bits).
    let wide: unknown[] | undefined
    for (let i = 1; i < envelope.length; i += 1) {
      const value = envelope[i]
      if (typeof value !== 'number' || wideInteger(value) === value) continue
      wide ??= [...envelope]
      wide[i] = wideInteger(value)
    }
    return packr.pack(wide ?? envelope)
  }

  decode(body: Uint8Array): unknown {
    let value: unknown
    try {
      value = packr.unpack(body)
    } catch (error) {
      throw new PortcullisError(
        PortcullisErrorCode.UNDECODABLE,
        `body of ${body.length} bytes is not MessagePack`,
        { closeCode: CloseCode.INVALID_PAYLOAD, cause: error },
      )
    }
    if (!withinDepth(value, this.maxNestingDepth)) {
      throw new PortcullisError(
        PortcullisErrorCode.TOO_DEEP,
        `body nests deeper than maxNestingDepth (${this.maxNestingDepth})`,
        { closeCode: CloseCode.INVALID_PAYLOAD },
      )
    }
    return value
  }

  encodePushTail(route: string, payload: unknown): Buffer {
    const routeBytes = packr.pack(route)
    const payloadBytes = packr.pack(payload)
    return Buffer.concat([routeBytes, payloadBytes])
  }

  encodePush(seq: number, tail: Buffer): Buffer {
    const out = Buffer.allocUnsafe(PUSH_HEAD.length + 9 + tail.length)
    out[0] = PUSH_HEAD[0]
    out[1] = PUSH_HEAD[1]
    const end = writeUint(out, PUSH_HEAD.length, seq)
    tail.copy(out, end)
    return out.subarray(0, end + tail.length)
  }
}
