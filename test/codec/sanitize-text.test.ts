import { describe, expect, it } from 'vitest'
import { sanitizeText } from '../../src/codec/index.js'

describe('sanitizeText', () => {
  it.each([
    ['plain text', 'plain text'],
    ['\u001b[31mred\u001b[0m', 'red'],
    ['clear\u001b[2J\u001b[Hscreen', 'clearscreen'],
    ['title\u001b]0;owned\u0007!', 'title!'],
    ['osc with st\u001b]8;;http://x\u001b\\link', 'osc with stlink'],
    ['bell\u0007 and nul\u0000', 'bell and nul'],
    ['tab\there', 'tab here'],
    ['c1\u009b31mcsi', 'c1csi'],
    ['del\u007f', 'del'],
    ['ünïcödé ✓', 'ünïcödé ✓'],
  ])('cleans %j', (input, expected) => {
    expect(sanitizeText(input)).toBe(expected)
  })
})

describe('sanitizeText and invisible characters', () => {
  it.each([
    ['bidi\u202eevil', 'bidievil'],
    ['zero\u200bwidth', 'zerowidth'],
    ['line\u2028separator\u2029', 'lineseparator'],
    ['family 👨\u200d👩\u200d👧', 'family 👨\u200d👩\u200d👧'],
  ])('removes format characters from %j', (input, expected) => {
    expect(sanitizeText(input)).toBe(expected)
  })
})
