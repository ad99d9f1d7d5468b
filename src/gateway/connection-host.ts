import type { Logger } from 'pino'
import type { PortcullisError } from '../codec/index.js'
import type { TransportName } from '../session/index.js'
import type { Connection } from './connection.js'
import type { TrafficCounts } from './metrics.js'
import type { ResolvedOptions } from './options.js'

/** What a connection reports to the gateway that accepted it. */
export interface ConnectionHost {
  readonly options: ResolvedOptions
  readonly logger: Logger
  /** The traffic counters of one transport. */
  traffic(name: TransportName): TrafficCounts
  /** One body (or line) arrived. `isText`: a WebSocket text message. */
  onBody(connection: Connection, body: Buffer, isText: boolean): void
  /** The peer broke the protocol below the envelope (framing, size). */
  onPeerError(connection: Connection, error: PortcullisError): void
  /** The socket reported an error; a 'close' follows. */
  onSocketError(connection: Connection, error: Error): void
  /** The socket is gone. */
  onConnectionClosed(connection: Connection): void
}
