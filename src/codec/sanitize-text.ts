// ESC-prefixed sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST),
// and two-byte escapes; then C0 controls, DEL and C1 controls. A player's
// text must not move another player's cursor, retitle their terminal or ring
// their bell.
const ESC = String.fromCharCode(0x1b)
const BEL = String.fromCharCode(0x07)
const CSI = String.fromCharCode(0x9b)
const ESCAPES = new RegExp(
  [
    `${ESC}\\[[0-?]*[ -/]*[@-~]?`,
    `${ESC}\\][^${BEL}${ESC}]*(?:${BEL}|${ESC}\\\\)?`,
    `${ESC}[@-Z\\\\-_]?`,
    `${CSI}[0-?]*[ -/]*[@-~]?`,
  ].join('|'),
  'g',
)
const CONTROLS = new RegExp(
  `[${String.fromCharCode(0)}-${String.fromCharCode(8)}` +
    `${String.fromCharCode(0x0a)}-${String.fromCharCode(0x1f)}` +
    `${String.fromCharCode(0x7f)}-${String.fromCharCode(0x9f)}]`,
  'g',
)

// Invisible format characters (bidi overrides, zero-width spaces) and line
// or paragraph separators let one player disguise or reorder text on
// another's screen. The zero-width joiner stays: emoji sequences need it.
const INVISIBLES = /(?!\u200d)[\p{Cf}\p{Zl}\p{Zp}]/gu

/**
 * Removes terminal escape sequences, control characters and invisible
 * format characters (tabs become spaces), so text from one player is safe
 * to show on another's terminal.
 */
export function sanitizeText(text: string): string {
  return text
    .replace(/\t/g, ' ')
    .replace(ESCAPES, '')
    .replace(CONTROLS, '')
    .replace(INVISIBLES, '')
}
