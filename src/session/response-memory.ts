/**
 * The last responses a session sent, by request id, so a request re-sent
 * after a resume is answered again instead of running twice. A fixed ring:
 * remembering costs two stores, and a lookup for an id above every
 * remembered one (what a client counting upwards sends) costs a comparison.
 */
export class ResponseMemory {
  readonly #ids: Float64Array
  readonly #bodies: Array<Buffer | undefined>
  #next = 0
  #size = 0
  #highestId = -1

  /** @param maxResponses responses kept; the oldest is forgotten first */
  constructor(maxResponses: number) {
    this.#ids = new Float64Array(maxResponses)
    this.#bodies = new Array<Buffer | undefined>(maxResponses)
  }

  /** Keeps the response body of request `id`. */
  remember(id: number, body: Buffer): void {
    const capacity = this.#ids.length
    this.#ids[this.#next] = id
    this.#bodies[this.#next] = body
    this.#next = this.#next + 1 === capacity ? 0 : this.#next + 1
    if (this.#size < capacity) this.#size += 1
    if (id > this.#highestId) this.#highestId = id
  }

  /** The newest response remembered for `id`, if any. */
  get(id: number): Buffer | undefined {
    if (id > this.#highestId) return undefined
    const capacity = this.#ids.length
    let index = this.#next
    for (let seen = 0; seen < this.#size; seen += 1) {
      index = index === 0 ? capacity - 1 : index - 1
      if (this.#ids[index] === id) return this.#bodies[index]
    }
    return undefined
  }

  /** Re-encodes every body (the session changed serializer on resume). */
  transcode(convert: (body: Buffer) => Buffer): void {
    for (let i = 0; i < this.#bodies.length; i += 1) {
      const body = this.#bodies[i]
      if (body === undefined) continue
      try {
        this.#bodies[i] = convert(body)
      } catch {
        // Not expressible in the new serializer: forgotten, so a re-send
        // runs again rather than failing the resume.
        this.#bodies[i] = undefined
        this.#ids[i] = -1
      }
    }
  }
}
