import { connect as netConnect, type Socket } from 'node:net'
import { type ConnectionOptions, connect as tlsConnect } from 'node:tls'
import { FrameDecoder } from '../codec/frame-decoder.js'
import { encodeFrame } from '../codec/frame-encoder.js'
import {
  PortcullisError,
  PortcullisErrorCode,
} from '../codec/portcullis-error.js'
import type {
  ClientTransport,
  ClientTransportEvents,
} from './client-transport.js'

/** Options of a TCP or TLS client connection. */
export interface StreamConnectOptions {
  host: string
  port: number
  /** Largest frame accepted from the server, in bytes. */
  maxFrameBytes: number
  /** Gives up connecting after this long, in milliseconds. */
  connectTimeoutMs: number
  /** TLS settings; a TLS connection when set. */
  tls?: ConnectionOptions
  /** Local address to connect from (load generators spread over many). */
  localAddress?: string
}

/** Opens a TCP or TLS connection that speaks length-prefixed frames. */
export function connectStream(
  options: StreamConnectOptions,
  events: ClientTransportEvents,
): Promise<ClientTransport> {
  return new Promise((resolve, reject) => {
    const base = {
      host: options.host,
      port: options.port,
      ...(options.localAddress ? { localAddress: options.localAddress } : {}),
    }
    const socket: Socket =
      options.tls === undefined
        ? netConnect(base)
        : tlsConnect({ ...options.tls, ...base, servername: tlsName(options) })
    const readyEvent = options.tls === undefined ? 'connect' : 'secureConnect'
    socket.setNoDelay(true)
    const decoder = new FrameDecoder(options.maxFrameBytes)
    let opened = false
    const timer = setTimeout(() => {
      socket.destroy(
        new PortcullisError(
          PortcullisErrorCode.CONNECT_FAILED,
          `no connection to ${options.host}:${options.port} within ` +
            `${options.connectTimeoutMs} ms`,
        ),
      )
    }, options.connectTimeoutMs)

    socket.once(readyEvent, () => {
      clearTimeout(timer)
      opened = true
      resolve({
        send: (body) => {
          socket.write(encodeFrame(body))
        },
        close: () => socket.end(),
        destroy: () => socket.destroy(),
      })
    })
    socket.on('data', (chunk: Buffer) => {
      const error = decoder.push(chunk, (body) => events.onBody(body, false))
      if (error !== undefined) socket.destroy(error)
    })
    let failure: Error | undefined
    socket.on('error', (error: NodeJS.ErrnoException) => {
      failure = opened ? error : connectError(options, error)
    })
    socket.on('close', () => {
      clearTimeout(timer)
      if (!opened) reject(failure ?? connectError(options, undefined))
      else events.onClose(failure)
    })
  })
}

function tlsName(options: StreamConnectOptions): string | undefined {
  if (options.tls?.servername !== undefined) return options.tls.servername
  return /^[\d.:]+$/.test(options.host) ? undefined : options.host
}

function connectError(
  options: StreamConnectOptions,
  cause: NodeJS.ErrnoException | undefined,
): PortcullisError {
  if (cause instanceof PortcullisError) return cause
  const why = cause?.code ?? cause?.message ?? 'connection closed'
  return new PortcullisError(
    PortcullisErrorCode.CONNECT_FAILED,
    `cannot connect to ${options.host}:${options.port}: ${why}`,
    { cause },
  )
}
