import type { ClientOptions } from 'ws'
import {
  PortcullisError,
  PortcullisErrorCode,
} from '../codec/portcullis-error.js'
import type {
  ClientTransport,
  ClientTransportEvents,
} from './client-transport.js'

/** Options of a WebSocket client connection. */
export interface WsConnectOptions {
  url: string
  maxFrameBytes: number
  connectTimeoutMs: number
  /** TLS and socket settings for wss:// in Node (ignored in browsers). */
  nodeOptions?: ClientOptions
}

interface MinimalWebSocket {
  binaryType: string
  readyState: number
  send(data: Uint8Array | string): void
  close(code?: number, reason?: string): void
  onopen: ((event: unknown) => void) | null
  onmessage: ((event: { data: unknown }) => void) | null
  onclose: ((event: { code: number; reason: string }) => void) | null
  onerror: ((event: unknown) => void) | null
}

async function makeSocket(
  options: WsConnectOptions,
): Promise<MinimalWebSocket> {
  const Native = (globalThis as { WebSocket?: new (url: string) => unknown })
    .WebSocket
  const inBrowser =
    typeof (globalThis as { window?: unknown }).window === 'object'
  if (inBrowser && Native !== undefined) {
    return new Native(options.url) as MinimalWebSocket
  }
  const { WebSocket } = await import('ws')
  return new WebSocket(options.url, {
    maxPayload: options.maxFrameBytes,
    perMessageDeflate: false,
    ...options.nodeOptions,
  }) as unknown as MinimalWebSocket
}

/** Opens a WebSocket connection (the `ws` package in Node, native in browsers). */
export async function connectWs(
  options: WsConnectOptions,
  events: ClientTransportEvents,
): Promise<ClientTransport> {
  const socket = await makeSocket(options)
  socket.binaryType = 'arraybuffer'
  const decoder = new TextEncoder()
  return new Promise((resolve, reject) => {
    let opened = false
    const timer = setTimeout(() => {
      socket.close()
      reject(failed(options.url, 'timed out'))
    }, options.connectTimeoutMs)
    socket.onopen = () => {
      clearTimeout(timer)
      opened = true
      resolve({
        send: (body, isText) => {
          if (socket.readyState !== 1) return
          socket.send(isText ? new TextDecoder().decode(body) : body)
        },
        close: () => socket.close(1000, 'bye'),
        destroy: () => {
          const raw = socket as unknown as { terminate?: () => void }
          if (raw.terminate !== undefined) raw.terminate()
          else socket.close()
        },
      })
    }
    socket.onmessage = (event) => {
      const data = event.data
      if (typeof data === 'string') events.onBody(decoder.encode(data), true)
      else events.onBody(new Uint8Array(data as ArrayBuffer), false)
    }
    socket.onerror = () => {
      if (!opened) {
        clearTimeout(timer)
        reject(failed(options.url, 'connection failed'))
      }
    }
    socket.onclose = (event) => {
      clearTimeout(timer)
      if (!opened) reject(failed(options.url, `closed (${event.code})`))
      else events.onClose(undefined, event.code, event.reason)
    }
  })
}

function failed(url: string, why: string): PortcullisError {
  return new PortcullisError(
    PortcullisErrorCode.CONNECT_FAILED,
    `cannot connect to ${url}: ${why}`,
  )
}
