import { CloseCode } from './close-codes.js'
import { PortcullisError, PortcullisErrorCode } from './portcullis-error.js'

/** Bytes in the length prefix of a stream frame. */
export const FRAME_HEADER_BYTES = 4

/**
 * Reassembles length-prefixed frames from arbitrary chunks of a byte stream.
 *
 * One chunk may hold half a frame or many; the decoder keeps only the partial
 * header (at most 4 bytes) and the body of the frame being read, which is
 * allocated once at its announced size after that size passed the limit.
 * Frames that lie whole inside one chunk are handed out as views, not copies.
 */
export class FrameDecoder {
  readonly maxFrameBytes: number
  // Made only when a header arrives split across chunks, which is rare:
  // idle connections should not carry it.
  #header: Buffer | undefined
  #headerFilled = 0
  #body: Buffer | undefined
  #bodyFilled = 0
  #stopped = false

  /** @param maxFrameBytes largest body accepted, in bytes */
  constructor(maxFrameBytes: number) {
    this.maxFrameBytes = maxFrameBytes
  }

  /** Bytes held for the frame in progress (header and body). */
  get bufferedBytes(): number {
    return this.#headerFilled + this.#bodyFilled
  }

  /** Stops decoding: later chunks and the rest of the current one are ignored. */
  stop(): void {
    this.#stopped = true
    this.#body = undefined
  }

  /**
   * Feeds one chunk; calls `onFrame` with each complete body, in order.
   * Returns the error that ends the stream (a frame over the limit or an
   * empty frame), after which the decoder is stopped; otherwise undefined.
   * A body is only valid during its `onFrame` call.
   */
  push(
    chunk: Uint8Array,
    onFrame: (body: Buffer) => void,
  ): PortcullisError | undefined {
    const data = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    let offset = 0

    while (offset < data.length && !this.#stopped) {
      if (this.#body !== undefined) {
        offset = this.#fillBody(data, offset, onFrame)
        continue
      }

      let length: number
      if (this.#headerFilled === 0 && data.length - offset >= 4) {
        length = data.readUInt32BE(offset)
        offset += FRAME_HEADER_BYTES
      } else {
        const take = Math.min(4 - this.#headerFilled, data.length - offset)
        this.#header ??= Buffer.alloc(FRAME_HEADER_BYTES)
        data.copy(this.#header, this.#headerFilled, offset, offset + take)
        this.#headerFilled += take
        offset += take
        if (this.#headerFilled < FRAME_HEADER_BYTES) break
        this.#headerFilled = 0
        length = this.#header.readUInt32BE(0)
      }

      const error = this.#checkLength(length)
      if (error !== undefined) {
        this.stop()
        return error
      }
      if (data.length - offset >= length) {
        onFrame(data.subarray(offset, offset + length))
        offset += length
      } else {
        this.#body = Buffer.allocUnsafe(length)
        this.#bodyFilled = 0
      }
    }
    return undefined
  }

  #fillBody(
    data: Buffer,
    offset: number,
    onFrame: (body: Buffer) => void,
  ): number {
    const body = this.#body as Buffer
    const take = Math.min(body.length - this.#bodyFilled, data.length - offset)
    data.copy(body, this.#bodyFilled, offset, offset + take)
    this.#bodyFilled += take
    if (this.#bodyFilled === body.length) {
      this.#body = undefined
      this.#bodyFilled = 0
      onFrame(body)
    }
    return offset + take
  }

  #checkLength(length: number): PortcullisError | undefined {
    if (length > this.maxFrameBytes) {
      return new PortcullisError(
        PortcullisErrorCode.FRAME_TOO_LARGE,
        `frame of ${length} bytes exceeds maxFrameBytes (${this.maxFrameBytes})`,
        { closeCode: CloseCode.MESSAGE_TOO_BIG },
      )
    }
    if (length === 0) {
      return new PortcullisError(
        PortcullisErrorCode.EMPTY_FRAME,
        'frame of 0 bytes: a body holds at least one envelope',
        { closeCode: CloseCode.PROTOCOL_ERROR },
      )
    }
    return undefined
  }
}
