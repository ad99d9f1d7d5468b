import {
  PortcullisError,
  PortcullisErrorCode,
} from '../codec/portcullis-error.js'
import { OfflineQueue } from './offline-queue.js'
import { RequestTable } from './request-table.js'

/** Where the outbox writes, and whether it may now. */
export interface OutboxLink {
  /** True while a session is open: bodies go out at once. */
  isOpen(): boolean
  /** Writes one encoded body on the open session. */
  write(body: Uint8Array): void
}

/**
 * What the application sends: written at once while a session is open,
 * queued while offline. Requests wait in the request table until their
 * response, their timeout or the end of the client.
 */
export class Outbox {
  readonly #requests = new RequestTable()
  readonly #queue: OfflineQueue
  readonly #link: OutboxLink

  /**
   * @param maxQueuedMessages most messages queued offline
   * @param maxQueuedBytes most body bytes queued offline
   */
  constructor(
    maxQueuedMessages: number,
    maxQueuedBytes: number,
    link: OutboxLink,
  ) {
    this.#queue = new OfflineQueue(maxQueuedMessages, maxQueuedBytes)
    this.#link = link
  }

  /** Requests waiting for their response (sent or queued). */
  get pendingRequests(): number {
    return this.#requests.size
  }

  /** Messages waiting in the offline queue. */
  get queuedMessages(): number {
    return this.#queue.size
  }

  /** A request id not in use, for the REQUEST about to be encoded. */
  takeRequestId(): number {
    return this.#requests.takeId()
  }

  /**
   * Sends or queues the REQUEST `body` (id `id`); resolves with its
   * response. A full queue rejects with PORTCULLIS_ERR_QUEUE_FULL.
   */
  request(
    id: number,
    route: string,
    body: Uint8Array,
    timeoutMs: number,
  ): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const sent = this.#link.isOpen()
      if (sent) this.#link.write(body)
      else if (!this.#queue.add({ body, requestId: id })) {
        reject(this.#queueFullError())
        return
      }
      const entry = { route, body, resolve, reject, sent }
      this.#requests.add(id, entry, timeoutMs, () =>
        this.#queue.removeRequest(id),
      )
    })
  }

  /** Sends or queues a NOTIFY; false when the queue is full. */
  notify(body: Uint8Array): boolean {
    if (!this.#link.isOpen()) {
      return this.#queue.add({ body, requestId: undefined })
    }
    this.#link.write(body)
    return true
  }

  /**
   * A session opened. Oldest first: requests that had no answer (when it
   * resumed the session they went out on), then what waited offline.
   */
  flush(resumed: boolean): void {
    if (resumed) {
      for (const body of this.#requests.sentBodies()) this.#link.write(body)
    }
    for (const queued of this.#queue.drain()) {
      const id = queued.requestId
      if (id !== undefined && !this.#requests.markSent(id)) continue
      this.#link.write(queued.body)
    }
  }

  /** Settles request `id` with its response; an unknown id is ignored. */
  settle(
    id: number,
    payload: unknown,
    error: { code: string; message: string } | null,
  ): void {
    this.#requests.settle(id, payload, error)
  }

  /** The session was lost (`refusal` says why): sent requests fail. */
  failSent(refusal: string): void {
    this.#requests.failSent(refusal)
  }

  /** Gives everything up: requests reject with `error`, the queue empties. */
  clear(error: Error): void {
    this.#requests.rejectAll(error)
    this.#queue.drain()
  }

  #queueFullError(): PortcullisError {
    const queue = this.#queue
    return new PortcullisError(
      PortcullisErrorCode.QUEUE_FULL,
      `offline queue full (maxQueuedMessages ${queue.maxMessages}` +
        `, maxQueuedBytes ${queue.maxBytes})`,
    )
  }
}
