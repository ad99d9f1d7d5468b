import { Kind } from './kinds.js'
import { sanitizeText } from './sanitize-text.js'
import { type Serializer, SerializerName } from './serializer.js'

/** Turns a push into the text a terminal user sees; undefined hides it. */
export type LineRenderer = (
  route: string,
  payload: unknown,
) => string | undefined

/** Shows string payloads as they are, `{text}` payloads by their text. */
export const defaultLineRenderer: LineRenderer = (route, payload) => {
  if (typeof payload === 'string') return payload
  if (typeof payload === 'object' && payload !== null && 'text' in payload) {
    const text = (payload as { text: unknown }).text
    if (typeof text === 'string') return text
  }
  return `${route} ${JSON.stringify(payload) ?? ''}`
}

const EMPTY = Buffer.alloc(0)

/**
 * The "serializer" of line sessions: pushes become sanitized text lines
 * ending in CRLF, and a CLOSE becomes one line with its reason.
 */
export class TextSerializer implements Serializer {
  readonly name = SerializerName.TEXT
  readonly binary = false
  readonly #render: LineRenderer

  constructor(render: LineRenderer = defaultLineRenderer) {
    this.#render = render
  }

  encode(envelope: readonly unknown[]): Buffer {
    if (envelope[0] === Kind.CLOSE) {
      return this.line(`*** ${String(envelope[2])} (${String(envelope[1])})`)
    }
    return EMPTY
  }

  decode(body: Uint8Array): unknown {
    return Buffer.from(body).toString('utf8')
  }

  encodePushTail(route: string, payload: unknown): Buffer {
    const text = this.#render(route, payload)
    return text === undefined ? EMPTY : this.line(text)
  }

  encodePush(_seq: number, tail: Buffer): Buffer {
    return tail
  }

  /** One line of text, made safe for a terminal, with its CRLF. */
  line(text: string): Buffer {
    const lines = text.split(/\r?\n/).map(sanitizeText)
    return Buffer.from(`${lines.join('\r\n')}\r\n`)
  }
}
