/** A small seeded PRNG (mulberry32): the same seed, the same numbers. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The seed from PORTCULLIS_SEED, or a new one; printed for re-runs. */
export function testSeed(name: string): number {
  const fromEnv = Number(process.env.PORTCULLIS_SEED)
  const seed = Number.isSafeInteger(fromEnv)
    ? fromEnv
    : Math.floor(Math.random() * 2 ** 31)
  console.log(`${name}: seed ${seed} (re-run with PORTCULLIS_SEED=${seed})`)
  return seed
}
