import { describe, expect, it } from 'vitest'
import { LineDecoder } from '../../src/codec/index.js'

function decodeAll(chunks: number[][], maxLineBytes = 4096) {
  const decoder = new LineDecoder(maxLineBytes)
  const lines: string[] = []
  let error: unknown
  for (const chunk of chunks) {
    error ??= decoder.push(Uint8Array.from(chunk), (line) => lines.push(line))
  }
  return { lines, error }
}

const bytes = (text: string) => [...Buffer.from(text)]

describe('LineDecoder', () => {
  it('splits LF and CRLF lines, however the chunks fall', () => {
    const stream = bytes('one\r\ntwo\nthree\r\n')
    for (let cut = 0; cut <= stream.length; cut++) {
      const { lines } = decodeAll([stream.slice(0, cut), stream.slice(cut)])
      expect(lines).toEqual(['one', 'two', 'three'])
    }
  })

  it('strips telnet negotiation, also when split across chunks', () => {
    // IAC DO ECHO, IAC WILL SGA, IAC SB NAWS 0 80 0 24 IAC SE, then text.
    const stream = [
      255,
      253,
      1,
      255,
      251,
      3,
      255,
      250,
      31,
      0,
      80,
      0,
      24,
      255,
      240,
      ...bytes('hi\r\n'),
    ]
    for (let cut = 0; cut <= stream.length; cut++) {
      const { lines } = decodeAll([stream.slice(0, cut), stream.slice(cut)])
      expect(lines).toEqual(['hi'])
    }
  })

  it('decodes UTF-8 split inside a character', () => {
    const stream = bytes('héllo wörld\n')
    const { lines } = decodeAll(stream.map((b) => [b]))
    expect(lines).toEqual(['héllo wörld'])
  })

  it('fails with 1009 on a line longer than maxLineBytes', () => {
    const { lines, error } = decodeAll([bytes(`${'a'.repeat(20)}\n`)], 16)
    expect(lines).toEqual([])
    expect(error).toMatchObject({
      code: 'PORTCULLIS_ERR_FRAME_TOO_LARGE',
      closeCode: 1009,
    })
  })

  it('accepts a line of exactly maxLineBytes', () => {
    const { lines, error } = decodeAll([bytes(`${'a'.repeat(16)}\r\n`)], 16)
    expect(error).toBeUndefined()
    expect(lines).toEqual(['a'.repeat(16)])
  })
})

describe('LineDecoder at the limit', () => {
  it('fails with 1009 on a bare-LF line one byte past maxLineBytes', () => {
    const { lines, error } = decodeAll([bytes(`${'a'.repeat(17)}\n`)], 16)
    expect(lines).toEqual([])
    expect(error).toMatchObject({ closeCode: 1009 })
  })
})
