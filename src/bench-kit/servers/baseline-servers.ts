import { createServer as createHttpServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createServer as createNetServer, type Server } from 'node:net'
import { WebSocketServer } from 'ws'
import type { ServerPorts } from './server-protocol.js'

const HOST = '127.0.0.1'
const MAX_FRAME_BYTES = 64 * 1024

function listening(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen({ host: HOST, port: 0, backlog: 2048 }, () =>
      resolve((server.address() as AddressInfo).port),
    )
  })
}

/**
 * The raw `net` baseline: 4-byte-length frames echoed back with one
 * socket write per frame, as a plain Node server would do.
 */
export async function startNetEcho(): Promise<ServerPorts> {
  const server = createNetServer({ noDelay: true }, (socket) => {
    let pending: Buffer | undefined
    socket.on('data', (chunk: Buffer) => {
      let data = chunk
      if (pending !== undefined) {
        data = Buffer.concat([pending, chunk])
        pending = undefined
      }
      let offset = 0
      while (data.length - offset >= 4) {
        const length = data.readUInt32BE(offset)
        if (length > MAX_FRAME_BYTES) {
          socket.destroy()
          return
        }
        if (data.length - offset - 4 < length) break
        socket.write(data.subarray(offset, offset + 4 + length))
        offset += 4 + length
      }
      if (offset < data.length) pending = data.subarray(offset)
    })
    socket.on('error', () => socket.destroy())
  })
  return { tcp: await listening(server) }
}

/** The raw `ws` baseline: every message sent back, no compression. */
export async function startWsEcho(): Promise<ServerPorts> {
  const http = createHttpServer()
  const wss = new WebSocketServer({
    server: http,
    perMessageDeflate: false,
    clientTracking: false,
    maxPayload: MAX_FRAME_BYTES,
  })
  wss.on('connection', (ws) => {
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      ws.send(data, { binary: isBinary, compress: false })
    })
    ws.on('error', () => ws.terminate())
  })
  http.on('clientError', (_error, socket) => socket.destroy())
  return { ws: await listening(http as unknown as Server) }
}

/**
 * The Socket.IO 4 baseline: an `echo` event answered through its
 * acknowledgement, WebSocket transport only, default parser.
 */
export async function startSocketIoEcho(): Promise<ServerPorts> {
  const { Server: SocketIoServer } = await import('socket.io')
  const http = createHttpServer()
  const io = new SocketIoServer(http, {
    transports: ['websocket'],
    serveClient: false,
    perMessageDeflate: false,
    maxHttpBufferSize: MAX_FRAME_BYTES,
  })
  io.on('connection', (socket) => {
    socket.on('echo', (data: unknown, ack: unknown) => {
      if (typeof ack === 'function') ack(data)
    })
  })
  http.on('clientError', (_error, socket) => socket.destroy())
  return { ws: await listening(http as unknown as Server) }
}
