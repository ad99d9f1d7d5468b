/**
 * Lets `timer` not keep a Node process alive; browsers' numeric timer ids
 * have no `unref` and pass through untouched.
 */
export function unref<T>(timer: T): T {
  ;(timer as { unref?: () => void }).unref?.()
  return timer
}
