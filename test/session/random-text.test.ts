import { describe, expect, it } from 'vitest'
import { randomText } from '../../src/session/index.js'

describe('randomText', () => {
  it('gives base64url text of the asked length, never the same twice', () => {
    const seen = new Set<string>()
    for (let i = 0; i < 5_000; i++) {
      const text = randomText(18)
      expect(text).toMatch(/^[A-Za-z0-9_-]{24}$/)
      seen.add(text)
    }
    expect(seen.size).toBe(5_000)
  })

  it('spreads its bits: every base64url character turns up', () => {
    const characters = new Set(
      Array.from({ length: 2_000 }, () => randomText(12)).join(''),
    )
    expect(characters.size).toBe(64)
  })
})
