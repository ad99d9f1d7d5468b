import type { Logger } from 'pino'
import type { GatewayMetrics } from './metrics.js'
import type { ResolvedOptions } from './options.js'

/**
 * Decides whether a new connection may in: the connection cap, the
 * per-address cap (kept only when set: players behind one NAT share an
 * address) and the cap on handshakes in progress, which keeps a storm from
 * piling up work. A refusal is counted and logged at debug.
 */
export class Admission {
  readonly #options: ResolvedOptions
  readonly #metrics: GatewayMetrics
  readonly #logger: Logger
  readonly #byAddress = new Map<string, number>()
  #connections = 0

  constructor(
    options: ResolvedOptions,
    metrics: GatewayMetrics,
    logger: Logger,
  ) {
    this.#options = options
    this.#metrics = metrics
    this.#logger = logger
  }

  /** Connections open now, on every game port. */
  get connections(): number {
    return this.#connections
  }

  /** Why a connection from `address` must be refused (1013), if it must. */
  refusal(address: string, draining: boolean): string | undefined {
    const options = this.#options
    let reason: string | undefined
    if (draining) reason = 'draining'
    else if (this.#connections >= options.maxConnections) {
      reason = 'max_connections'
    } else if (
      options.maxConnectionsPerIp > 0 &&
      (this.#byAddress.get(address) ?? 0) >= options.maxConnectionsPerIp
    ) {
      reason = 'max_connections_per_ip'
    } else if (this.#handshakes() >= options.maxHandshakes) {
      reason = 'max_handshakes'
    }
    if (reason !== undefined) {
      this.#metrics.refused.inc({ reason })
      this.#logger.debug(
        { remoteAddress: address, reason },
        'connection refused',
      )
    }
    return reason
  }

  #handshakes(): number {
    const counts = this.#metrics.sessionsByState
    return counts.handshaking + counts.authenticating
  }

  /** A connection from `address` was admitted. */
  opened(address: string): void {
    this.#connections += 1
    if (this.#options.maxConnectionsPerIp > 0) {
      this.#byAddress.set(address, (this.#byAddress.get(address) ?? 0) + 1)
    }
  }

  /** A connection from `address` ended. */
  closed(address: string): void {
    this.#connections -= 1
    if (this.#options.maxConnectionsPerIp > 0) {
      const count = this.#byAddress.get(address) ?? 1
      if (count <= 1) this.#byAddress.delete(address)
      else this.#byAddress.set(address, count - 1)
    }
  }
}
