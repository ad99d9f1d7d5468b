/**
 * Returns true when `value` nests arrays, objects and maps no deeper than
 * `maxDepth` levels. The walk stops at the first level past the limit, so
 * its cost is bounded by the size of the value, never by its depth.
 */
export function withinDepth(value: unknown, maxDepth: number): boolean {
  if (value === null || typeof value !== 'object') return true
  if (maxDepth <= 0) return false
  if (Array.isArray(value)) {
    for (const item of value) {
      if (!withinDepth(item, maxDepth - 1)) return false
    }
    return true
  }
  if (value instanceof Map) {
    for (const [key, item] of value) {
      if (!withinDepth(key, maxDepth - 1)) return false
      if (!withinDepth(item, maxDepth - 1)) return false
    }
    return true
  }
  if (ArrayBuffer.isView(value)) return true
  for (const key in value) {
    const item = (value as Record<string, unknown>)[key]
    if (!withinDepth(item, maxDepth - 1)) return false
  }
  return true
}
