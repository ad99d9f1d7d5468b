import { CloseCode } from './close-codes.js'
import { withinDepth } from './depth.js'
import { Kind } from './kinds.js'
import { PortcullisError, PortcullisErrorCode } from './portcullis-error.js'
import { type Serializer, SerializerName } from './serializer.js'

/**
 * JSON has no big integers, maps, dates or bytes: they travel as strings,
 * objects, milliseconds (as in MessagePack) and base64. JSON.stringify calls
 * toJSON before the replacer, which would turn a Date into an ISO string and
 * a Buffer into `{type, data}`, so those are read from the holder instead.
 */
function replacer(this: unknown, key: string, value: unknown): unknown {
  const original = (this as Record<string, unknown>)[key]
  if (original instanceof Date) return original.getTime()
  if (original instanceof ArrayBuffer) {
    return Buffer.from(original).toString('base64')
  }
  if (ArrayBuffer.isView(original)) {
    const { buffer, byteOffset, byteLength } = original
    return Buffer.from(buffer, byteOffset, byteLength).toString('base64')
  }
  if (typeof value === 'bigint') return value.toString()
  if (value instanceof Map) return Object.fromEntries(value)
  return value
}

function stringify(value: unknown): string {
  return JSON.stringify(value, replacer) ?? 'null'
}

/**
 * JSON bodies: the same envelope arrays as text, for debugging from a
 * browser console or a script. Not meant for production traffic.
 */
export class JsonSerializer implements Serializer {
  readonly name = SerializerName.JSON
  readonly binary = false
  readonly maxNestingDepth: number

  /** @param maxNestingDepth deepest nesting a decoded body may have */
  constructor(maxNestingDepth = 32) {
    this.maxNestingDepth = maxNestingDepth
  }

  encode(envelope: readonly unknown[]): Buffer {
    return Buffer.from(stringify(envelope))
  }

  decode(body: Uint8Array): unknown {
    let value: unknown
    try {
      value = JSON.parse(Buffer.from(body).toString('utf8'))
    } catch (error) {
      throw new PortcullisError(
        PortcullisErrorCode.UNDECODABLE,
        `body of ${body.length} bytes is not JSON`,
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
    return Buffer.from(`${stringify(route)},${stringify(payload)}]`)
  }

  encodePush(seq: number, tail: Buffer): Buffer {
    return Buffer.concat([Buffer.from(`[${Kind.PUSH},${seq},`), tail])
  }
}

/** The first byte of a JSON envelope, `[`; MessagePack arrays never start so. */
export const JSON_FIRST_BYTE = 0x5b
