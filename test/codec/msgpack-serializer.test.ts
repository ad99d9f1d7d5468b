import { decode } from '@msgpack/msgpack'
import { describe, expect, it } from 'vitest'
import {
  MsgpackSerializer,
  PortcullisError,
  PortcullisErrorCode,
} from '../../src/codec/index.js'

const serializer = new MsgpackSerializer()

function bytes(hex: string): Buffer {
  return Buffer.from(hex.replaceAll(' ', ''), 'hex')
}

/**
 * Walks one MessagePack value starting at `offset` and returns the offset
 * after it. Written from the specification, independent of any library;
 * throws on extension types (0xc7-0xc9, 0xd4-0xd8) and on 0xc1.
 */
function scan(data: Uint8Array, offset: number): number {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  const byte = data[offset]
  if (byte === undefined) throw new Error(`truncated at ${offset}`)
  const at = offset + 1
  const items = (count: number, start: number): number => {
    let next = start
    for (let i = 0; i < count; i++) next = scan(data, next)
    return next
  }
  if (byte <= 0x7f || byte >= 0xe0) return at
  if (byte <= 0x8f) return items((byte & 0x0f) * 2, at)
  if (byte <= 0x9f) return items(byte & 0x0f, at)
  if (byte <= 0xbf) return at + (byte & 0x1f)
  switch (byte) {
    case 0xc0:
    case 0xc2:
    case 0xc3:
      return at
    case 0xc4:
    case 0xd9:
      return at + 1 + view.getUint8(at)
    case 0xc5:
    case 0xda:
      return at + 2 + view.getUint16(at)
    case 0xc6:
    case 0xdb:
      return at + 4 + view.getUint32(at)
    case 0xca:
      return at + 4
    case 0xcb:
      return at + 8
    case 0xcc:
    case 0xd0:
      return at + 1
    case 0xcd:
    case 0xd1:
      return at + 2
    case 0xce:
    case 0xd2:
      return at + 4
    case 0xcf:
    case 0xd3:
      return at + 8
    case 0xdc:
      return items(view.getUint16(at), at + 2)
    case 0xdd:
      return items(view.getUint32(at), at + 4)
    case 0xde:
      return items(view.getUint16(at) * 2, at + 2)
    case 0xdf:
      return items(view.getUint32(at) * 2, at + 4)
    default:
      throw new Error(
        `type byte 0x${byte.toString(16)} at ${offset} is not plain MessagePack`,
      )
  }
}

function expectPlain(data: Uint8Array): void {
  expect(scan(data, 0)).toBe(data.length)
}

function nested(levels: number, inner: unknown): unknown {
  let value = inner
  for (let i = 0; i < levels; i++) value = [value]
  return value
}

function expectError(action: () => unknown, code: string, closeCode: number) {
  let caught: unknown
  try {
    action()
  } catch (error) {
    caught = error
  }
  expect(caught).toBeInstanceOf(PortcullisError)
  expect((caught as PortcullisError).code).toBe(code)
  expect((caught as PortcullisError).closeCode).toBe(closeCode)
}

describe('MsgpackSerializer', () => {
  describe('the scanner used by these tests', () => {
    it('rejects every extension type', () => {
      for (const hex of ['d4 01 00', 'd6 ff 00 00 00 01', 'c7 01 05 00']) {
        expect(() => scan(bytes(hex), 0)).toThrow(/not plain/)
      }
    })
  })

  it('encodes undefined, Map, Date, BigInt, typed arrays and nesting with no extension type', () => {
    const value = [
      5,
      7,
      'everything',
      {
        missing: undefined,
        map: new Map<string, unknown>([
          ['a', 1],
          ['b', [1, 2]],
        ]),
        epoch: new Date(0),
        now: new Date(1_700_000_000_000),
        small: 5n,
        negative: -5n,
        max64: 2n ** 64n - 1n,
        huge: 2n ** 70n,
        hugeNegative: -(2n ** 70n),
        bytes: new Uint8Array([1, 2, 3]),
        buffer: Buffer.from([4, 5]),
        floats: new Float32Array([1.5]),
        shorts: new Int16Array([1, -2]),
        set: new Set([1, 2]),
        deep: nested(25, 'bottom'),
      },
    ]

    const body = serializer.encode(value)

    expectPlain(body)
    // A plain Uint8Array copy: decoding a Buffer would yield Buffer bins.
    const plain = new Uint8Array(body)
    expect(decode(plain, { useBigInt64: true })).toEqual([
      5,
      7,
      'everything',
      {
        missing: null,
        map: { a: 1, b: [1, 2] },
        epoch: 0,
        // A date past 32 bits is an integer on the wire: int64.
        now: 1_700_000_000_000n,
        small: 5n,
        negative: -5n,
        max64: 18_446_744_073_709_551_615n,
        huge: '1180591620717411303424',
        hugeNegative: '-1180591620717411303424',
        bytes: new Uint8Array([1, 2, 3]),
        buffer: new Uint8Array([4, 5]),
        floats: new Uint8Array([0x00, 0x00, 0xc0, 0x3f]),
        shorts: new Uint8Array([0x01, 0x00, 0xfe, 0xff]),
        set: [1, 2],
        deep: nested(25, 'bottom'),
      },
    ])
  })

  it.each([
    ['undefined as nil', [undefined], '91 c0'],
    ['a Map as a fixmap', [new Map([['a', 1]])], '91 81 a1 61 01'],
    ['a Date as its milliseconds', [new Date(1000)], '91 cd 03 e8'],
    ['a small BigInt as int64', [5n], '91 d3 00 00 00 00 00 00 00 05'],
    ['a uint64 BigInt as uint64', [2n ** 63n], '91 cf 80 00 00 00 00 00 00 00'],
    [
      'a BigInt past 64 bits as a decimal string',
      [2n ** 64n],
      '91 b4 31 38 34 34 36 37 34 34 30 37 33 37 30 39 35 35 31 36 31 36',
    ],
    [
      'a Float32Array as bin',
      [new Float32Array([1.5])],
      '91 c4 04 00 00 c0 3f',
    ],
    [
      'an integer past 2^32 as float64',
      [2 ** 32],
      '91 cb 41 f0 00 00 00 00 00 00',
    ],
    [
      'an envelope field past 2^32 as int64',
      [4, 2 ** 32, 1],
      '93 04 d3 00 00 00 01 00 00 00 00 01',
    ],
    [
      'a payload integer past 2^32 as float64',
      [7, 'x', { n: 2 ** 32 }],
      '93 07 a1 78 81 a1 6e cb 41 f0 00 00 00 00 00 00',
    ],
    [
      'a date past 2^32 ms as int64',
      [7, 'x', new Date(2 ** 32)],
      '93 07 a1 78 d3 00 00 00 01 00 00 00 00',
    ],
    ['an object of 16 keys as map16', [sixteenKeys()], sixteenKeysHex()],
  ])('encodes %s', (_title, value, hex) => {
    expect(serializer.encode(value).toString('hex')).toBe(
      hex.replaceAll(' ', ''),
    )
  })

  it('decodes a body nested exactly maxNestingDepth deep', () => {
    const body = bytes(`${'91'.repeat(32)}01`)
    expect(serializer.decode(body)).toEqual(nested(32, 1))
  })

  it('throws 1007 when a body nests deeper than maxNestingDepth', () => {
    const body = bytes(`${'91'.repeat(33)}01`)
    expectError(
      () => serializer.decode(body),
      PortcullisErrorCode.TOO_DEEP,
      1007,
    )
  })

  it('honours a smaller maxNestingDepth', () => {
    const shallow = new MsgpackSerializer(2)
    expect(shallow.decode(bytes('91 91 01'))).toEqual([[1]])
    expectError(
      () => shallow.decode(bytes('91 91 91 01')),
      PortcullisErrorCode.TOO_DEEP,
      1007,
    )
  })

  it.each([
    ['a truncated array', '92 09'],
    ['bytes after the value', '92 09 01 02'],
    ['an unknown extension', '92 09 d4 01 00'],
    ['a map with an array key', '92 09 81 90 02'],
    ['an array32 announcing more items than sent', 'dd ff ff ff ff'],
    ['a truncated str8', 'd9 05 61'],
  ])('throws 1007 on %s', (_title, hex) => {
    expectError(
      () => serializer.decode(bytes(hex)),
      PortcullisErrorCode.UNDECODABLE,
      1007,
    )
  })

  it.each([0, 1, 127, 128, 255, 256, 65_535, 65_536, 2 ** 32 - 1])(
    'encodes push %i from a shared tail exactly as encode does',
    (seq) => {
      const payload = { from: 'ann', text: 'hi', at: new Date(5) }
      const tail = serializer.encodePushTail('chat.message', payload)
      const whole = serializer.encode([8, seq, 'chat.message', payload])
      expect(serializer.encodePush(seq, tail).toString('hex')).toBe(
        whole.toString('hex'),
      )
    },
  )

  it('writes push sequence numbers in the smallest uint format', () => {
    const tail = serializer.encodePushTail('t', null)
    const hexOf = (seq: number) =>
      serializer.encodePush(seq, tail).toString('hex')
    expect(hexOf(127)).toBe('94087fa174c0')
    expect(hexOf(128)).toBe('9408cc80a174c0')
    expect(hexOf(256)).toBe('9408cd0100a174c0')
    expect(hexOf(65_536)).toBe('9408ce00010000a174c0')
  })
})

function sixteenKeys(): Record<string, number> {
  const keys = 'abcdefghijklmnop'
  return Object.fromEntries([...keys].map((key, index) => [key, index]))
}

/** de 00 10, then a1 'a' 00, a1 'b' 01 ... written out. */
function sixteenKeysHex(): string {
  return (
    '91 de 00 10 a1 61 00 a1 62 01 a1 63 02 a1 64 03 a1 65 04 a1 66 05 ' +
    'a1 67 06 a1 68 07 a1 69 08 a1 6a 09 a1 6b 0a a1 6c 0b a1 6d 0c ' +
    'a1 6e 0d a1 6f 0e a1 70 0f'
  )
}
