import { ResponseMemory } from './response-memory.js'

/**
 * A session's request bookkeeping: the ids of asynchronous requests that
 * run now, and the responses sent lately, so a request re-sent after a
 * resume neither runs twice nor goes unanswered. Each part is made on
 * first use; with `maxRememberedResponses` 0 nothing is remembered.
 */
export class RequestLedger {
  readonly #maxRememberedResponses: number
  #running: Set<number> | undefined
  #responses: ResponseMemory | undefined

  /** @param maxRememberedResponses responses kept, the oldest dropped first */
  constructor(maxRememberedResponses: number) {
    this.#maxRememberedResponses = maxRememberedResponses
  }

  /** Asynchronous requests running now. */
  get running(): number {
    return this.#running?.size ?? 0
  }

  /** True when request `id` is running now. */
  isRunning(id: number): boolean {
    return this.#running?.has(id) === true
  }

  /** Request `id` started; false when it was running already. */
  start(id: number): boolean {
    this.#running ??= new Set()
    if (this.#running.has(id)) return false
    this.#running.add(id)
    return true
  }

  /** Request `id` ended; false when it was not running. */
  finish(id: number): boolean {
    return this.#running?.delete(id) === true
  }

  /** Keeps the response `body` sent for request `id`. */
  remember(id: number, body: Buffer): void {
    const max = this.#maxRememberedResponses
    if (max <= 0) return
    this.#responses ??= new ResponseMemory(max)
    this.#responses.remember(id, body)
  }

  /** The response already sent for request `id`, if remembered. */
  remembered(id: number): Buffer | undefined {
    return this.#responses?.get(id)
  }

  /** Re-encodes the remembered responses (the serializer changed). */
  transcode(convert: (body: Buffer) => Buffer): void {
    this.#responses?.transcode(convert)
  }
}
