import type { ResolvedClientOptions } from './client-options.js'
import type {
  ClientTransport,
  ClientTransportEvents,
} from './client-transport.js'
import { openTransport } from './open-transport.js'

/**
 * Opens a transport to each of the client's URLs in turn. Every attempt is
 * a generation of its own: a transport from an older one is destroyed on
 * arrival and its events are dropped, so a connection the client gave up
 * on can never reach it.
 */
export class TransportDialer {
  readonly #urls: readonly URL[]
  readonly #options: ResolvedClientOptions
  readonly #events: ClientTransportEvents
  #generation = 0
  #urlIndex = 0

  /**
   * @param urls where to connect, taken in turn
   * @param events where the current transport reports; a failed attempt
   *   reports to `onClose` too
   */
  constructor(
    urls: readonly URL[],
    options: ResolvedClientOptions,
    events: ClientTransportEvents,
  ) {
    this.#urls = urls
    this.#options = options
    this.#events = events
  }

  /**
   * Opens the next URL and hands the transport to `onOpen`, unless a later
   * `dial` or `abandon` came first.
   */
  async dial(onOpen: (transport: ClientTransport) => void): Promise<void> {
    this.#generation += 1
    const generation = this.#generation
    const url = this.#urls[this.#urlIndex % this.#urls.length]!
    this.#urlIndex += 1
    const current = () => generation === this.#generation
    const events = this.#events
    let transport: ClientTransport
    try {
      transport = await openTransport(url, this.#options, {
        onBody: (body, isText) => {
          if (current()) events.onBody(body, isText)
        },
        onClose: (error, code, reason) => {
          if (current()) events.onClose(error, code, reason)
        },
      })
    } catch (error) {
      if (current()) events.onClose(error as Error)
      return
    }
    if (!current()) {
      transport.destroy()
      return
    }
    onOpen(transport)
  }

  /** Makes every attempt so far stale: its events no longer arrive. */
  abandon(): void {
    this.#generation += 1
  }
}
