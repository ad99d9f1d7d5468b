import type { ResolvedClientOptions } from './client-options.js'
import type {
  ClientTransport,
  ClientTransportEvents,
} from './client-transport.js'
import { connectWs, type WsConnectOptions } from './ws-client-transport.js'

const DEFAULT_STREAM_PORTS: Readonly<Record<string, number>> = {
  'tcp:': 7000,
  'tls:': 7443,
}

/**
 * Opens the transport `url` names. TCP and TLS load their module (and with
 * it node:net and node:tls) only when used, so a browser bundle that only
 * speaks ws:// or wss:// never reaches a Node-only import.
 */
export async function openTransport(
  url: URL,
  options: ResolvedClientOptions,
  events: ClientTransportEvents,
): Promise<ClientTransport> {
  const local =
    options.localAddress === undefined
      ? {}
      : { localAddress: options.localAddress }
  if (url.protocol === 'tcp:' || url.protocol === 'tls:') {
    const { connectStream } = await import('./tcp-client-transport.js')
    return connectStream(
      {
        host: url.hostname.replace(/^\[|\]$/g, ''),
        port: Number(url.port || DEFAULT_STREAM_PORTS[url.protocol]),
        maxFrameBytes: options.maxFrameBytes,
        connectTimeoutMs: options.connectTimeoutMs,
        ...(url.protocol === 'tls:' ? { tls: options.tls ?? {} } : {}),
        ...local,
      },
      events,
    )
  }
  const nodeOptions = { ...(options.tls ?? {}), ...local }
  return connectWs(
    {
      url: url.href,
      maxFrameBytes: options.maxFrameBytes,
      connectTimeoutMs: options.connectTimeoutMs,
      nodeOptions: nodeOptions as unknown as NonNullable<
        WsConnectOptions['nodeOptions']
      >,
    },
    events,
  )
}
