/** Names of the body encodings a session can speak. */
export const SerializerName = {
  MSGPACK: 'msgpack',
  JSON: 'json',
  /** Text lines of the line (telnet) transport. */
  TEXT: 'text',
} as const

/** One of the serializer names. */
export type SerializerName =
  (typeof SerializerName)[keyof typeof SerializerName]

/**
 * Turns envelope arrays into body bytes and back. Decoding failures throw a
 * PortcullisError carrying close code 1007.
 */
export interface Serializer {
  readonly name: SerializerName
  /** True when bodies are binary (WebSocket binary messages). */
  readonly binary: boolean
  /** Encodes one whole envelope array. */
  encode(envelope: readonly unknown[]): Buffer
  /** Decodes one body; checks the nesting depth. */
  decode(body: Uint8Array): unknown
  /**
   * Encodes the part of a PUSH that every recipient shares: its route and
   * payload. Done once per broadcast; see `encodePush`.
   */
  encodePushTail(route: string, payload: unknown): Buffer
  /** Joins a recipient's sequence number with a shared tail into a body. */
  encodePush(seq: number, tail: Buffer): Buffer
}
