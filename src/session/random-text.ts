import { randomFillSync } from 'node:crypto'

const POOL_BYTES = 4096
const pool = Buffer.allocUnsafe(POOL_BYTES)
let used = POOL_BYTES

/**
 * `bytes` bytes from the system's cryptographic generator, as base64url
 * text. Draws from a pool refilled 4 KiB at a time: a login storm makes
 * one generator call per few hundred ids instead of one per id.
 */
export function randomText(bytes: number): string {
  if (used + bytes > POOL_BYTES) {
    randomFillSync(pool)
    used = 0
  }
  const text = pool.toString('base64url', used, used + bytes)
  // Each byte is handed out once; wipe it so it cannot leak later.
  pool.fill(0, used, used + bytes)
  used += bytes
  return text
}
