import { MAX_REQUEST_ID } from '../codec/envelope.js'
import {
  PortcullisError,
  PortcullisErrorCode,
} from '../codec/portcullis-error.js'
import { RemoteError } from './remote-error.js'
import { SessionLostError } from './session-lost-error.js'

/** A request the caller waits on, as it enters the table. */
export interface RequestEntry {
  readonly route: string
  /** The encoded REQUEST, kept to re-send it after a resume. */
  readonly body: Uint8Array
  readonly resolve: (value: unknown) => void
  readonly reject: (error: Error) => void
  /** True once it went out on the current session. */
  sent: boolean
}

interface PendingRequest extends RequestEntry {
  readonly timer: ReturnType<typeof setTimeout>
}

/**
 * The client's requests that wait for a response, by id, each with its own
 * timeout. Every entry leaves by exactly one door: its response, its
 * timeout, a lost session or the end of the client.
 */
export class RequestTable {
  readonly #pending = new Map<number, PendingRequest>()
  #nextId = 1

  /** Requests waiting now. */
  get size(): number {
    return this.#pending.size
  }

  /** A request id not in use; ids wrap at MAX_REQUEST_ID. */
  takeId(): number {
    let id = this.#nextId
    while (this.#pending.has(id)) id = id >= MAX_REQUEST_ID ? 1 : id + 1
    this.#nextId = id >= MAX_REQUEST_ID ? 1 : id + 1
    return id
  }

  /**
   * Waits for request `id` at most `timeoutMs`; on timeout it leaves the
   * table, `onTimeout` runs, then the caller's promise rejects.
   */
  add(
    id: number,
    entry: RequestEntry,
    timeoutMs: number,
    onTimeout: () => void,
  ): void {
    const timer = setTimeout(() => {
      this.#pending.delete(id)
      onTimeout()
      entry.reject(
        new PortcullisError(
          PortcullisErrorCode.REQUEST_TIMEOUT,
          `request ${entry.route} got no response within ${timeoutMs} ms`,
        ),
      )
    }, timeoutMs)
    this.#pending.set(id, { ...entry, timer })
  }

  /**
   * Marks queued request `id` as sent; false when it left the table while
   * it waited (timed out), so it must not go out.
   */
  markSent(id: number): boolean {
    const entry = this.#pending.get(id)
    if (entry === undefined) return false
    entry.sent = true
    return true
  }

  /** The bodies of requests sent on the session, oldest first. */
  *sentBodies(): Generator<Uint8Array> {
    for (const entry of this.#pending.values()) {
      if (entry.sent) yield entry.body
    }
  }

  /** Settles request `id` with its response; an unknown id is ignored. */
  settle(
    id: number,
    payload: unknown,
    error: { code: string; message: string } | null,
  ): void {
    const entry = this.#take(id)
    if (entry === undefined) return
    if (error === null) entry.resolve(payload)
    else entry.reject(new RemoteError(error.code, error.message))
  }

  /**
   * The session they were sent on is gone (`refusal` says why): sent
   * requests reject with a SessionLostError; queued ones still wait.
   */
  failSent(refusal: string): void {
    for (const [id, entry] of this.#pending) {
      if (!entry.sent) continue
      this.#take(id)
      entry.reject(new SessionLostError(refusal, entry.route))
    }
  }

  /** Rejects every request with `error` and empties the table. */
  rejectAll(error: Error): void {
    for (const entry of this.#pending.values()) {
      clearTimeout(entry.timer)
      entry.reject(error)
    }
    this.#pending.clear()
  }

  #take(id: number): PendingRequest | undefined {
    const entry = this.#pending.get(id)
    if (entry === undefined) return undefined
    this.#pending.delete(id)
    clearTimeout(entry.timer)
    return entry
  }
}
