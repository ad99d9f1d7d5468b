import { CloseCode } from './close-codes.js'
import { PortcullisError, PortcullisErrorCode } from './portcullis-error.js'

const IAC = 255
const SB = 250
const SE = 240
const WILL = 251
const DONT = 254
const LF = 10
const CR = 13

/** Where the telnet parser is between chunks. */
const Telnet = {
  DATA: 0,
  COMMAND: 1,
  OPTION: 2,
  SUBNEGOTIATION: 3,
  SUBNEGOTIATION_IAC: 4,
} as const
type Telnet = (typeof Telnet)[keyof typeof Telnet]

/**
 * Splits a byte stream into text lines for the line (telnet) transport.
 * Lines end in LF or CRLF; telnet IAC negotiation is removed wherever it
 * falls, even across chunks; a line longer than `maxLineBytes` is an error.
 */
export class LineDecoder {
  readonly maxLineBytes: number
  #line: Buffer
  #length = 0
  #telnet: Telnet = Telnet.DATA
  #stopped = false

  /** @param maxLineBytes longest line accepted, in bytes, without its end */
  constructor(maxLineBytes: number) {
    this.maxLineBytes = maxLineBytes
    this.#line = Buffer.allocUnsafe(Math.min(maxLineBytes + 1, 256))
  }

  /** Stops decoding; later input is ignored. */
  stop(): void {
    this.#stopped = true
  }

  /**
   * Feeds one chunk; calls `onLine` with each complete line (UTF-8 decoded,
   * line end removed). Returns the error that ends the stream, if any.
   */
  push(
    chunk: Uint8Array,
    onLine: (line: string) => void,
  ): PortcullisError | undefined {
    for (let i = 0; i < chunk.length && !this.#stopped; i++) {
      const byte = chunk[i] as number
      if (this.#telnet !== Telnet.DATA || byte === IAC) {
        this.#telnetByte(byte)
        continue
      }
      if (byte === LF) {
        let end = this.#length
        if (end > 0 && this.#line[end - 1] === CR) end -= 1
        this.#length = 0
        // One byte more than the limit is kept for a CR; a bare-LF line
        // must not use it.
        if (end > this.maxLineBytes) return this.#tooLong()
        onLine(this.#line.toString('utf8', 0, end))
        continue
      }
      if (this.#length >= this.maxLineBytes + 1) return this.#tooLong()
      this.#append(byte)
    }
    return undefined
  }

  #tooLong(): PortcullisError {
    this.stop()
    return new PortcullisError(
      PortcullisErrorCode.FRAME_TOO_LARGE,
      `line longer than maxLineBytes (${this.maxLineBytes})`,
      { closeCode: CloseCode.MESSAGE_TOO_BIG },
    )
  }

  #append(byte: number): void {
    if (this.#length === this.#line.length) {
      const grown = Buffer.allocUnsafe(
        Math.min(this.#line.length * 2, this.maxLineBytes + 1),
      )
      this.#line.copy(grown, 0, 0, this.#length)
      this.#line = grown
    }
    this.#line[this.#length] = byte
    this.#length += 1
  }

  #telnetByte(byte: number): void {
    switch (this.#telnet) {
      case Telnet.DATA:
        this.#telnet = Telnet.COMMAND
        return
      case Telnet.COMMAND:
        if (byte >= WILL && byte <= DONT) this.#telnet = Telnet.OPTION
        else if (byte === SB) this.#telnet = Telnet.SUBNEGOTIATION
        else this.#telnet = Telnet.DATA
        return
      case Telnet.OPTION:
        this.#telnet = Telnet.DATA
        return
      case Telnet.SUBNEGOTIATION:
        if (byte === IAC) this.#telnet = Telnet.SUBNEGOTIATION_IAC
        return
      case Telnet.SUBNEGOTIATION_IAC:
        this.#telnet = byte === SE ? Telnet.DATA : Telnet.SUBNEGOTIATION
        return
    }
  }
}
