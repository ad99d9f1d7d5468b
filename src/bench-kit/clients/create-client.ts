import { TargetName } from '../job.js'
import type { ClientSink, Endpoint, LeanClient } from './lean-client.js'
import { NetEchoClient, PortcullisTcpClient } from './stream-clients.js'
import {
  PortcullisWsClient,
  RawWsClient,
  SocketIoClient,
} from './ws-clients.js'

const FIRST_HOST_BYTE = 2
const HOST_BYTES = 250

/** A client of `target`'s protocol; `ringSize` is a power of two. */
export function createClient(
  target: TargetName,
  index: number,
  sink: ClientSink,
  ringSize = 64,
): LeanClient {
  switch (target) {
    case TargetName.PORTCULLIS_TCP:
      return new PortcullisTcpClient(index, sink, ringSize)
    case TargetName.PORTCULLIS_WS:
      return new PortcullisWsClient(index, sink, ringSize)
    case TargetName.NET:
      return new NetEchoClient(index, sink, ringSize)
    case TargetName.WS:
      return new RawWsClient(index, sink, ringSize)
    case TargetName.SOCKETIO:
      return new SocketIoClient(index, sink, ringSize)
  }
}

/**
 * The endpoint of client `index`: the server on 127.0.0.1, from one of
 * 250 loopback source addresses. One address has about 28,000 ephemeral
 * ports and a closed connection holds its port in TIME_WAIT for a minute,
 * so rotating addresses lets large and repeated runs keep connecting.
 */
export function endpointFor(
  port: number,
  index: number,
  addressSeed: number,
): Endpoint {
  const hostByte = FIRST_HOST_BYTE + ((addressSeed + index) % HOST_BYTES)
  return { host: '127.0.0.1', port, localAddress: `127.0.0.${hostByte}` }
}
