import { FRAME_HEADER_BYTES } from './frame-decoder.js'

/** Largest body a 4-byte length prefix can announce. */
export const MAX_FRAME_LENGTH = 0xffff_ffff

/** Returns the 4-byte big-endian length prefix for a body of `length` bytes. */
export function frameHeader(length: number): Buffer {
  const header = Buffer.allocUnsafe(FRAME_HEADER_BYTES)
  header.writeUInt32BE(length, 0)
  return header
}

/** Returns `body` framed for a stream transport: length prefix, then body. */
export function encodeFrame(body: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + body.length)
  frame.writeUInt32BE(body.length, 0)
  frame.set(body, FRAME_HEADER_BYTES)
  return frame
}

/**
 * Frames several bodies into one buffer, so a stream gets one write for
 * everything that became ready in the same event-loop turn.
 */
export function encodeFrames(bodies: readonly Uint8Array[]): Buffer {
  let total = 0
  for (const body of bodies) total += FRAME_HEADER_BYTES + body.length
  const out = Buffer.allocUnsafe(total)
  let offset = 0
  for (const body of bodies) {
    out.writeUInt32BE(body.length, offset)
    out.set(body, offset + FRAME_HEADER_BYTES)
    offset += FRAME_HEADER_BYTES + body.length
  }
  return out
}
