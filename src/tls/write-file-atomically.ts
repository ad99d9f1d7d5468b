import { randomBytes } from 'node:crypto'
import { chmod, rename, rm, writeFile } from 'node:fs/promises'

/**
 * Writes `data` to a fresh sibling file with `mode`, then renames it over
 * `path`. A watcher never sees half a certificate, and a private key never
 * exists, even briefly, with wider permissions than `mode`.
 */
export async function writeFileAtomically(
  path: string,
  data: string | Uint8Array,
  mode: number,
): Promise<void> {
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`
  try {
    await writeFile(temporary, data, { mode, flag: 'wx' })
    // The umask may have narrowed the mode given at creation; it never
    // widens it, so this only ever restores the asked-for bits.
    await chmod(temporary, mode)
    await rename(temporary, path)
  } catch (error) {
    await rm(temporary, { force: true })
    throw error
  }
}
