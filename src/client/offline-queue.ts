/** A message waiting for a connection. */
export interface QueuedMessage {
  /** The encoded envelope. */
  readonly body: Uint8Array
  /** Set for a REQUEST, so a timed-out request can leave the queue. */
  readonly requestId: number | undefined
}

/**
 * Messages sent while no session is open, bounded by count and by bytes.
 * When a message would pass either bound it is refused (the newest loses):
 * the caller learns at once, and what was queued earlier keeps its order.
 */
export class OfflineQueue {
  readonly maxMessages: number
  readonly maxBytes: number
  #messages: QueuedMessage[] = []
  #bytes = 0

  /**
   * @param maxMessages most messages held
   * @param maxBytes most body bytes held
   */
  constructor(maxMessages: number, maxBytes: number) {
    this.maxMessages = maxMessages
    this.maxBytes = maxBytes
  }

  /** Messages held now. */
  get size(): number {
    return this.#messages.length
  }

  /** Body bytes held now. */
  get bytes(): number {
    return this.#bytes
  }

  /** Queues `message`; returns false, keeping nothing, when full. */
  add(message: QueuedMessage): boolean {
    const bytes = message.body.byteLength
    if (
      this.#messages.length + 1 > this.maxMessages ||
      this.#bytes + bytes > this.maxBytes
    ) {
      return false
    }
    this.#messages.push(message)
    this.#bytes += bytes
    return true
  }

  /** Removes the queued request `requestId`; true when it was queued. */
  removeRequest(requestId: number): boolean {
    const index = this.#messages.findIndex((m) => m.requestId === requestId)
    if (index < 0) return false
    const [removed] = this.#messages.splice(index, 1)
    this.#bytes -= removed?.body.byteLength ?? 0
    return true
  }

  /** Empties the queue and returns what it held, oldest first. */
  drain(): QueuedMessage[] {
    const messages = this.#messages
    this.#messages = []
    this.#bytes = 0
    return messages
  }
}
