import { randomText } from './random-text.js'
import type { Session } from './session.js'

/**
 * Where sessions are found by id and by user id. Asynchronous from the
 * start, so a cluster registry (shared between nodes) fits behind it.
 */
export interface SessionRegistry {
  /** Makes a new session id that carries this node's id. */
  newSessionId(): string
  /** Registers a session under its id. */
  add(session: Session): Promise<void>
  /** Forgets a session (by id and by user id). */
  remove(session: Session): Promise<void>
  /** The session with this id, if this registry knows it. */
  get(sessionId: string): Promise<Session | undefined>
  /** The session logged in as `uid`, if any. */
  byUid(uid: string): Promise<Session | undefined>
  /** Records that `session` is logged in as its `uid`. */
  bindUid(session: Session): Promise<void>
  /** Sessions registered now. */
  readonly size: number
  /** Every session registered now. */
  values(): IterableIterator<Session>
}

/** The registry of a single process. */
export class LocalSessionRegistry implements SessionRegistry {
  readonly nodeId: string
  readonly #byId = new Map<string, Session>()
  readonly #byUid = new Map<string, Session>()

  /** @param nodeId prefix of every session id this node makes */
  constructor(nodeId: string) {
    this.nodeId = nodeId
  }

  newSessionId(): string {
    return `${this.nodeId}.${randomText(12)}`
  }

  get size(): number {
    return this.#byId.size
  }

  values(): IterableIterator<Session> {
    return this.#byId.values()
  }

  async add(session: Session): Promise<void> {
    this.#byId.set(session.id, session)
  }

  async remove(session: Session): Promise<void> {
    if (this.#byId.get(session.id) === session) this.#byId.delete(session.id)
    const uid = session.uid
    if (uid !== undefined && this.#byUid.get(uid) === session) {
      this.#byUid.delete(uid)
    }
  }

  async get(sessionId: string): Promise<Session | undefined> {
    return this.#byId.get(sessionId)
  }

  async byUid(uid: string): Promise<Session | undefined> {
    return this.#byUid.get(uid)
  }

  async bindUid(session: Session): Promise<void> {
    if (session.uid !== undefined) this.#byUid.set(session.uid, session)
  }
}
