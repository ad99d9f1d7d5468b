/** Something with output queued during the current event-loop turn. */
export interface Flushable {
  flush(): void
  /** A flush threw: give up on this one, so the others still go out. */
  flushFailed(error: unknown): void
}

let dirty: Flushable[] = []
let scheduled = false

function flushAll(): void {
  const batch = dirty
  dirty = []
  scheduled = false
  for (const item of batch) {
    try {
      item.flush()
    } catch (error) {
      item.flushFailed(error)
    }
  }
}

/**
 * Queues `item.flush()` for the end of this turn. Writes made while the
 * handlers of one read resolve go out together: one syscall per connection
 * per turn, and one scheduled callback for every connection at once.
 */
export function scheduleFlush(item: Flushable): void {
  dirty.push(item)
  if (!scheduled) {
    scheduled = true
    process.nextTick(flushAll)
  }
}
