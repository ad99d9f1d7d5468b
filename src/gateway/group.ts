import type { Serializer } from '../codec/index.js'
import type { Membership, Session } from '../session/index.js'

/**
 * A set of sessions that receive the same pushes: a room, a team, a map
 * region. A broadcast encodes its route and payload once per serializer in
 * use (at most three), however many members there are.
 */
export class Group implements Membership {
  readonly name: string
  readonly #members = new Set<Session>()

  constructor(name: string) {
    this.name = name
  }

  /** Members now. */
  get size(): number {
    return this.#members.size
  }

  /** Adds a session; it leaves by itself when it closes. */
  add(session: Session): void {
    this.#members.add(session)
    session.join(this)
  }

  /** Removes a session. */
  remove(session: Session): void {
    if (this.#members.delete(session)) session.leave(this)
  }

  has(session: Session): boolean {
    return this.#members.has(session)
  }

  /** The members, in the order they joined. */
  members(): IterableIterator<Session> {
    return this.#members.values()
  }

  /**
   * Pushes `payload` on `route` to every member but `except`. Returns how
   * many members took it.
   */
  broadcast(route: string, payload: unknown, except?: Session): number {
    const serializers: Serializer[] = []
    const tails: Buffer[] = []
    let delivered = 0
    for (const member of this.#members) {
      if (member === except) continue
      const serializer = member.serializer
      let index = serializers.indexOf(serializer)
      if (index < 0) {
        index = serializers.length
        serializers.push(serializer)
        tails.push(serializer.encodePushTail(route, payload))
      }
      if (member.pushTail(tails[index]!) > 0) delivered += 1
    }
    return delivered
  }
}
