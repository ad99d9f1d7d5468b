import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  FrameDecoder,
  PortcullisError,
  PortcullisErrorCode,
} from '../../src/codec/index.js'

const seed = Number(process.env.FC_SEED ?? Date.now())
console.log('fast-check seed', seed)

/** A body of `size` bytes whose content depends on its size and position. */
function body(size: number): Buffer {
  const bytes = Buffer.alloc(size)
  for (let i = 0; i < size; i++) bytes[i] = (i * 7 + size) & 0xff
  return bytes
}

/** Frames bodies by hand: a 4-byte big-endian length, then the body. */
function stream(bodies: readonly Uint8Array[]): Buffer {
  const parts: Buffer[] = []
  for (const item of bodies) {
    const header = Buffer.alloc(4)
    header.writeUInt32BE(item.length)
    parts.push(header, Buffer.from(item))
  }
  return Buffer.concat(parts)
}

/** Feeds `chunks` to a fresh decoder; returns copies of the bodies. */
function decodeChunks(
  chunks: readonly Uint8Array[],
  maxFrameBytes: number,
): Buffer[] {
  const decoder = new FrameDecoder(maxFrameBytes)
  const bodies: Buffer[] = []
  for (const chunk of chunks) {
    const error = decoder.push(chunk, (frame) => {
      bodies.push(Buffer.from(frame))
    })
    if (error !== undefined) throw error
  }
  expect(decoder.bufferedBytes).toBe(0)
  return bodies
}

function expectBodies(actual: Buffer[], expected: readonly Buffer[]): void {
  expect(actual.length).toBe(expected.length)
  for (let i = 0; i < expected.length; i++) {
    expect(actual[i]?.equals(expected[i] as Buffer)).toBe(true)
  }
}

function split(data: Buffer, cuts: readonly number[]): Buffer[] {
  const chunks: Buffer[] = []
  let start = 0
  for (const cut of cuts) {
    chunks.push(data.subarray(start, cut))
    start = cut
  }
  chunks.push(data.subarray(start))
  return chunks
}

const large = 1 << 17
const testStreams = [
  { name: 'one frame of 1 byte', sizes: [1], limit: 65_536 },
  { name: 'frames of 1, 3, 4 and 5 bytes', sizes: [1, 3, 4, 5], limit: 65_536 },
  { name: 'frames of 4 bytes, like a header', sizes: [4, 4, 4], limit: 65_536 },
  {
    name: 'frames of 255, 256 and 1 bytes',
    sizes: [255, 256, 1],
    limit: 65_536,
  },
  { name: 'a frame of exactly maxFrameBytes', sizes: [300, 2], limit: 300 },
  { name: 'a frame of 70000 bytes', sizes: [2, 70_000, 3], limit: large },
]

describe('FrameDecoder', () => {
  describe.each(testStreams)('on $name', ({ sizes, limit }) => {
    const bodies = sizes.map(body)
    const data = stream(bodies)

    it('decodes the stream fed all at once', () => {
      expectBodies(decodeChunks([data], limit), bodies)
    })

    it('decodes the stream fed one byte at a time', () => {
      const chunks = [...data].map((byte) => Uint8Array.of(byte))
      expectBodies(decodeChunks(chunks, limit), bodies)
    })

    it('decodes the stream split in two at every byte offset', () => {
      for (let cut = 0; cut <= data.length; cut++) {
        expectBodies(decodeChunks(split(data, [cut]), limit), bodies)
      }
    })
  })

  it.each(testStreams.filter((test) => test.sizes.every((n) => n < 10)))(
    'decodes $name split at every pair of offsets',
    ({ sizes, limit }) => {
      const bodies = sizes.map(body)
      const data = stream(bodies)
      for (let first = 0; first <= data.length; first++) {
        for (let second = first; second <= data.length; second++) {
          const chunks = split(data, [first, second])
          expectBodies(decodeChunks(chunks, limit), bodies)
        }
      }
    },
  )

  it('accepts Uint8Array chunks that are not Buffers', () => {
    const data = stream([body(3)])
    const chunk = new Uint8Array(data.length + 2).subarray(1, data.length + 1)
    chunk.set(data)
    expectBodies(decodeChunks([chunk], 100), [body(3)])
  })

  it('returns 1009 when a header announces maxFrameBytes + 1, before the body', () => {
    const decoder = new FrameDecoder(65_536)
    const frames: Buffer[] = []
    const error = decoder.push(Buffer.from('00010001', 'hex'), (frame) => {
      frames.push(frame)
    })
    expect(error).toBeInstanceOf(PortcullisError)
    expect(error?.code).toBe(PortcullisErrorCode.FRAME_TOO_LARGE)
    expect(error?.closeCode).toBe(1009)
    expect(frames).toEqual([])
    expect(decoder.bufferedBytes).toBe(0)
  })

  it('returns 1009 for a header split across chunks', () => {
    const decoder = new FrameDecoder(100)
    const ignore = () => {}
    expect(decoder.push(Buffer.from('0000', 'hex'), ignore)).toBeUndefined()
    const error = decoder.push(Buffer.from('0065', 'hex'), ignore)
    expect(error?.code).toBe(PortcullisErrorCode.FRAME_TOO_LARGE)
    expect(error?.closeCode).toBe(1009)
  })

  it('returns 1009 for the largest length a header can hold', () => {
    const decoder = new FrameDecoder(65_536)
    const error = decoder.push(Buffer.from('ffffffff', 'hex'), () => {})
    expect(error?.closeCode).toBe(1009)
  })

  it('returns 1002 for a zero-length frame, after the frames before it', () => {
    const decoder = new FrameDecoder(100)
    const frames: string[] = []
    const data = Buffer.from(
      '00000001' + 'aa' + '00000000' + '00000001bb',
      'hex',
    )
    const error = decoder.push(data, (frame) => {
      frames.push(frame.toString('hex'))
    })
    expect(frames).toEqual(['aa'])
    expect(error?.code).toBe(PortcullisErrorCode.EMPTY_FRAME)
    expect(error?.closeCode).toBe(1002)
  })

  it('ignores everything after an error', () => {
    const decoder = new FrameDecoder(4)
    const frames: Buffer[] = []
    const onFrame = (frame: Buffer) => frames.push(frame)
    expect(decoder.push(Buffer.from('00000005', 'hex'), onFrame)).toBeDefined()
    expect(
      decoder.push(Buffer.from('00000001aa', 'hex'), onFrame),
    ).toBeUndefined()
    expect(frames).toEqual([])
  })

  it('stops handing out frames once stopped from a callback', () => {
    const decoder = new FrameDecoder(100)
    const frames: string[] = []
    decoder.push(Buffer.from('00000001aa00000001bb', 'hex'), (frame) => {
      frames.push(frame.toString('hex'))
      decoder.stop()
    })
    expect(frames).toEqual(['aa'])
  })

  it('decodes random bodies under random chunkings (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 600 }), {
          maxLength: 12,
        }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (bodies, rawCuts) => {
          const data = stream(bodies)
          const cuts = rawCuts
            .map((cut) => cut % (data.length + 1))
            .sort((a, b) => a - b)
          const decoded = decodeChunks(split(data, cuts), 600)
          expectBodies(
            decoded,
            bodies.map((item) => Buffer.from(item)),
          )
        },
      ),
      { seed, numRuns: 300 },
    )
  })

  it('rejects a random oversized frame wherever the stream is cut (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 64 }), {
          maxLength: 5,
        }),
        fc.integer({ min: 65, max: 0xffff_ffff }),
        fc.nat(),
        (before, tooLong, rawCut) => {
          const header = Buffer.alloc(4)
          header.writeUInt32BE(tooLong)
          const data = Buffer.concat([stream(before), header])
          const cut = rawCut % (data.length + 1)
          const decoder = new FrameDecoder(64)
          const frames: Buffer[] = []
          const errors: (PortcullisError | undefined)[] = []
          for (const chunk of split(data, [cut])) {
            errors.push(
              decoder.push(chunk, (frame) => frames.push(Buffer.from(frame))),
            )
          }
          const error = errors.find((item) => item !== undefined)
          expect(error?.closeCode).toBe(1009)
          expectBodies(
            frames,
            before.map((item) => Buffer.from(item)),
          )
        },
      ),
      { seed, numRuns: 200 },
    )
  })
})
