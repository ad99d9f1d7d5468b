import {
  ackBody,
  BodyKind,
  bodyKind,
  frame,
  HELLO_BODY,
  makePayload,
  pingBody,
  readPush,
  requestTemplate,
  responseId,
} from '../wire.js'
import { LeanClient } from './lean-client.js'

const ACK_EVERY_PUSHES = 32
const CLOSE_FRAME = frame(Buffer.from([0x93, 0x0a, 0xcd, 0x03, 0xe8, 0xa0]))

/** Length-prefixed frames over TCP; subclasses read the bodies. */
abstract class FramedClient extends LeanClient {
  protected abstract readonly template: Buffer
  protected abstract readonly idOffset: number

  sendEcho(id: number, atMs: number): void {
    const out = Buffer.allocUnsafe(this.template.length)
    this.template.copy(out)
    out.writeUInt32BE(id, this.idOffset)
    this.sentAtMs[id & this.ringMask] = atMs
    this.send(out)
  }

  protected parse(data: Buffer, end: number): number {
    let offset = 0
    while (end - offset >= 4) {
      const length = data.readUInt32BE(offset)
      if (end - offset - 4 < length) break
      this.onBody(data, offset + 4, length)
      offset += 4 + length
    }
    return offset
  }

  protected abstract onBody(data: Buffer, start: number, length: number): void
}

const portcullisRequest = requestTemplate()
const portcullisTemplate = frame(portcullisRequest.body)
const helloFrame = frame(HELLO_BODY)

/** Portcullis over TCP: HELLO, WELCOME, REQUEST/RESPONSE, PUSH, ACK. */
export class PortcullisTcpClient extends FramedClient {
  protected readonly template = portcullisTemplate
  protected readonly idOffset = 4 + portcullisRequest.idOffset
  #lastSeq = 0
  #unacked = 0

  protected onConnect(): void {
    this.send(helloFrame)
  }

  override heartbeat(nowMs: number): void {
    this.send(frame(pingBody(nowMs, this.#lastSeq)))
  }

  override close(): void {
    this.send(CLOSE_FRAME)
    super.close()
  }

  protected onBody(data: Buffer, start: number): void {
    switch (bodyKind(data, start)) {
      case BodyKind.RESPONSE:
        this.sink.echo(this, responseId(data, start))
        return
      case BodyKind.PUSH: {
        const push = readPush(data, start)
        this.#lastSeq = push.seq
        this.#unacked += 1
        if (this.#unacked >= ACK_EVERY_PUSHES) {
          this.#unacked = 0
          this.send(frame(ackBody(push.seq)))
        }
        this.sink.push(this, push.stampUs)
        return
      }
      case BodyKind.WELCOME:
        this.markReady()
        return
      default:
    }
  }
}

const netTemplate = frame(makePayload())

/** The raw `net` baseline: 64-byte frames echoed as they are. */
export class NetEchoClient extends FramedClient {
  protected readonly template = netTemplate
  protected readonly idOffset = 4

  protected onConnect(): void {
    this.markReady()
  }

  protected onBody(data: Buffer, start: number): void {
    this.sink.echo(this, data.readUInt32BE(start))
  }
}
