/** A map from event name to the arguments its listeners get. */
export type EventMap = Record<string, unknown[]>

type Listener<Args extends unknown[]> = (...args: Args) => void
// Listeners of every event share one map; emit restores their types.
type AnyListener = (...args: unknown[]) => void

/**
 * A small typed event emitter that runs in browsers and Node alike. A
 * listener that throws cannot break the emitter's owner: its error is
 * rethrown in a microtask, where it surfaces as an uncaught error.
 */
export class TypedEmitter<Events extends EventMap> {
  readonly #listeners = new Map<keyof Events, Set<AnyListener>>()

  /** Calls `listener` on every `event`; returns a function that stops it. */
  on<K extends keyof Events>(
    event: K,
    listener: Listener<Events[K]>,
  ): () => void {
    let set = this.#listeners.get(event)
    if (set === undefined) {
      set = new Set()
      this.#listeners.set(event, set)
    }
    set.add(listener as unknown as AnyListener)
    return () => this.off(event, listener)
  }

  /** Calls `listener` on the next `event` only. */
  once<K extends keyof Events>(
    event: K,
    listener: Listener<Events[K]>,
  ): () => void {
    const off = this.on(event, (...args) => {
      off()
      listener(...args)
    })
    return off
  }

  /** Stops calling `listener` on `event`. */
  off<K extends keyof Events>(event: K, listener: Listener<Events[K]>): void {
    this.#listeners.get(event)?.delete(listener as unknown as AnyListener)
  }

  /** Calls every listener of `event` with `args`, in order of adding. */
  protected emit<K extends keyof Events>(event: K, ...args: Events[K]): void {
    const set = this.#listeners.get(event)
    if (set === undefined) return
    for (const listener of [...set]) {
      try {
        listener(...args)
      } catch (error) {
        queueMicrotask(() => {
          throw error
        })
      }
    }
  }
}
