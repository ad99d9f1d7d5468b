import {
  ackBody,
  BodyKind,
  bodyKind,
  HELLO_BODY,
  makePayload,
  pingBody,
  readPush,
  requestTemplate,
  responseId,
} from '../wire.js'
import { type Endpoint, LeanClient } from './lean-client.js'

const OPCODE_TEXT = 0x1
const OPCODE_BINARY = 0x2
const OPCODE_CLOSE = 0x8
const OPCODE_PING = 0x9
const OPCODE_PONG = 0xa
const ACK_EVERY_PUSHES = 32
const HEADER_END = Buffer.from('\r\n\r\n')

/**
 * A client WebSocket frame. The mask key is all zeros, which RFC 6455
 * allows on the wire (servers cannot tell) and which leaves the payload
 * as it is, so templates can be built once and patched.
 */
export function wsFrame(payload: Buffer, opcode: number): Buffer {
  const length = payload.length
  const headerBytes = length < 126 ? 6 : length < 0x1_0000 ? 8 : 14
  const out = Buffer.alloc(headerBytes + length)
  out[0] = 0x80 | opcode
  if (length < 126) {
    out[1] = 0x80 | length
  } else if (length < 0x1_0000) {
    out[1] = 0x80 | 126
    out.writeUInt16BE(length, 2)
  } else {
    out[1] = 0x80 | 127
    out.writeBigUInt64BE(BigInt(length), 2)
  }
  payload.copy(out, headerBytes)
  return out
}

/** Bytes before the payload of a client frame carrying `length` bytes. */
function clientHeaderBytes(length: number): number {
  return length < 126 ? 6 : length < 0x1_0000 ? 8 : 14
}

/** WebSocket over a bare socket: upgrade, then server frames. */
abstract class WsClient extends LeanClient {
  protected readonly path: string = '/'
  #upgraded = false

  protected onConnect(endpoint: Endpoint): void {
    this.send(
      Buffer.from(
        `GET ${this.path} HTTP/1.1\r\n` +
          `Host: ${endpoint.host}:${endpoint.port}\r\n` +
          'Upgrade: websocket\r\nConnection: Upgrade\r\n' +
          'Sec-WebSocket-Key: cG9ydGN1bGxpcy1iZW5jaA==\r\n' +
          'Sec-WebSocket-Version: 13\r\n\r\n',
      ),
    )
  }

  override close(): void {
    this.send(wsFrame(Buffer.from([0x03, 0xe8]), OPCODE_CLOSE))
    super.close()
  }

  protected parse(data: Buffer, end: number): number {
    let offset = 0
    if (!this.#upgraded) {
      const at = data.indexOf(HEADER_END)
      if (at < 0 || at >= end) return 0
      if (data.toString('latin1', 9, 12) !== '101') {
        this.destroy()
        return end
      }
      this.#upgraded = true
      offset = at + HEADER_END.length
      this.onUpgraded()
    }
    while (end - offset >= 2) {
      const first = data[offset] as number
      let length = (data[offset + 1] as number) & 0x7f
      let header = 2
      if (length === 126) {
        if (end - offset < 4) break
        length = data.readUInt16BE(offset + 2)
        header = 4
      } else if (length === 127) {
        if (end - offset < 10) break
        length = Number(data.readBigUInt64BE(offset + 2))
        header = 10
      }
      if (end - offset - header < length) break
      const opcode = first & 0x0f
      const start = offset + header
      if (opcode === OPCODE_BINARY || opcode === OPCODE_TEXT || opcode === 0) {
        this.onMessage(data, start, length)
      } else if (opcode === OPCODE_PING) {
        const body = Buffer.from(data.subarray(start, start + length))
        this.send(wsFrame(body, OPCODE_PONG))
      } else if (opcode === OPCODE_CLOSE) {
        this.destroy()
      }
      offset = start + length
    }
    return offset
  }

  protected abstract onUpgraded(): void
  protected abstract onMessage(
    data: Buffer,
    start: number,
    length: number,
  ): void
}

/** A binary echo frame template and where its uint32 id sits. */
abstract class BinaryEchoWsClient extends WsClient {
  protected abstract readonly template: Buffer
  protected abstract readonly idOffset: number

  sendEcho(id: number, atMs: number): void {
    const out = Buffer.allocUnsafe(this.template.length)
    this.template.copy(out)
    out.writeUInt32BE(id, this.idOffset)
    this.sentAtMs[id & this.ringMask] = atMs
    this.send(out)
  }
}

const portcullisRequest = requestTemplate()
const portcullisTemplate = wsFrame(portcullisRequest.body, OPCODE_BINARY)
const portcullisIdOffset =
  clientHeaderBytes(portcullisRequest.body.length) + portcullisRequest.idOffset
const helloFrame = wsFrame(HELLO_BODY, OPCODE_BINARY)

/** Portcullis over WebSocket: the TCP client's bodies, one per message. */
export class PortcullisWsClient extends BinaryEchoWsClient {
  protected readonly template = portcullisTemplate
  protected readonly idOffset = portcullisIdOffset
  #lastSeq = 0
  #unacked = 0

  protected onUpgraded(): void {
    this.send(helloFrame)
  }

  override heartbeat(nowMs: number): void {
    this.send(wsFrame(pingBody(nowMs, this.#lastSeq), OPCODE_BINARY))
  }

  protected onMessage(data: Buffer, start: number): void {
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
          this.send(wsFrame(ackBody(push.seq), OPCODE_BINARY))
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

const rawTemplate = wsFrame(makePayload(), OPCODE_BINARY)

/** The raw `ws` baseline: 64-byte binary messages echoed as they are. */
export class RawWsClient extends BinaryEchoWsClient {
  protected readonly template = rawTemplate
  protected readonly idOffset = clientHeaderBytes(64)

  protected onUpgraded(): void {
    this.markReady()
  }

  protected onMessage(data: Buffer, start: number): void {
    this.sink.echo(this, data.readUInt32BE(start))
  }
}

const socketIoPayload = JSON.stringify(makePayload().toString('latin1'))
const CHAR_ZERO = 0x30

/**
 * Socket.IO 4 spoken directly over WebSocket (Engine.IO v4 packets):
 * `40` to join the default namespace, `42<id>["echo",s]` events with an
 * acknowledgement id, `43<id>[s]` answers, `2`/`3` heartbeats. The official
 * client costs several times the server's CPU, which would measure the
 * generator instead of the server.
 */
export class SocketIoClient extends WsClient {
  protected override readonly path = '/socket.io/?EIO=4&transport=websocket'

  sendEcho(id: number, atMs: number): void {
    const text = `42${id}["echo",${socketIoPayload}]`
    this.sentAtMs[id & this.ringMask] = atMs
    this.send(wsFrame(Buffer.from(text, 'latin1'), OPCODE_TEXT))
  }

  protected onUpgraded(): void {}

  protected onMessage(data: Buffer, start: number, length: number): void {
    const engineType = data[start]
    if (engineType === 0x32) {
      this.send(wsFrame(Buffer.from('3'), OPCODE_TEXT))
      return
    }
    if (engineType === 0x30) {
      this.send(wsFrame(Buffer.from('40'), OPCODE_TEXT))
      return
    }
    if (engineType !== 0x34 || length < 2) return
    const socketType = data[start + 1]
    if (socketType === 0x30) {
      this.markReady()
      return
    }
    if (socketType !== 0x33) return
    let id = 0
    for (let i = start + 2; i < start + length; i += 1) {
      const digit = (data[i] as number) - CHAR_ZERO
      if (digit < 0 || digit > 9) break
      id = id * 10 + digit
    }
    this.sink.echo(this, id)
  }
}
