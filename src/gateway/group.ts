import type { Serializer } from '../codec/index.js'
import {
  type Membership,
  type Session,
  SessionState,
} from '../session/index.js'

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

  /**
   * Adds a session; it leaves by itself when it closes. A session that has
   * closed already (an app that awaited before adding) is not added.
   */
  add(session: Session): void {
    if (session.state === SessionState.CLOSED) return
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

/** A gateway's groups by name: made on first use, kept until deleted. */
export class Groups {
  readonly #byName = new Map<string, Group>()

  /** The group called `name`, made on first use. */
  get(name: string): Group {
    let group = this.#byName.get(name)
    if (group === undefined) {
      group = new Group(name)
      this.#byName.set(name, group)
    }
    return group
  }

  /** Forgets a group; its members leave it and stay connected. */
  delete(name: string): boolean {
    const group = this.#byName.get(name)
    if (group === undefined) return false
    for (const session of [...group.members()]) group.remove(session)
    return this.#byName.delete(name)
  }
}
