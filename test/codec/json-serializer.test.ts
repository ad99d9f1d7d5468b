import { describe, expect, it } from 'vitest'
import {
  JSON_FIRST_BYTE,
  JsonSerializer,
  PortcullisError,
  PortcullisErrorCode,
} from '../../src/codec/index.js'

const serializer = new JsonSerializer()

function text(value: readonly unknown[]): string {
  return serializer.encode(value).toString('utf8')
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

function nestedText(levels: number): string {
  return `${'['.repeat(levels)}1${']'.repeat(levels)}`
}

describe('JsonSerializer', () => {
  it('starts every envelope with the byte 0x5b', () => {
    expect(JSON_FIRST_BYTE).toBe(0x5b)
    expect(serializer.encode([9, 1])[0]).toBe(0x5b)
  })

  it.each([
    ['a request', [5, 7, 'echo', { n: 1 }], '[5,7,"echo",{"n":1}]'],
    ['undefined as null', [8, 1, 'a', undefined], '[8,1,"a",null]'],
    ['a Map as an object', [7, 'm', new Map([['a', 1]])], '[7,"m",{"a":1}]'],
    [
      'a BigInt as a string',
      [7, 'b', 2n ** 70n],
      '[7,"b","1180591620717411303424"]',
    ],
    ['a Date as its milliseconds', [7, 'd', new Date(1000)], '[7,"d",1000]'],
    [
      'a Uint8Array as base64',
      [7, 'u', new Uint8Array([1, 2, 3])],
      '[7,"u","AQID"]',
    ],
    ['a Buffer as base64', [7, 'u', Buffer.from([1, 2, 3])], '[7,"u","AQID"]'],
    [
      'a Float32Array as base64 of its bytes',
      [7, 'f', new Float32Array([1.5])],
      '[7,"f","AADAPw=="]',
    ],
    [
      'an ArrayBuffer as base64',
      [7, 'a', new Uint8Array([1, 2, 3]).buffer],
      '[7,"a","AQID"]',
    ],
  ])('encodes %s', (_title, value, expected) => {
    expect(text(value)).toBe(expected)
  })

  it('decodes an envelope', () => {
    const body = Buffer.from('[6,7,null,{"code":"unknown_route","message":""}]')
    expect(serializer.decode(body)).toEqual([
      6,
      7,
      null,
      { code: 'unknown_route', message: '' },
    ])
  })

  it.each([
    ['truncated JSON', '[1,'],
    ['a MessagePack body', '\x93\x01\x01\x80'],
    ['an empty body', ''],
  ])('throws 1007 on %s', (_title, body) => {
    expectError(
      () => serializer.decode(Buffer.from(body, 'latin1')),
      PortcullisErrorCode.UNDECODABLE,
      1007,
    )
  })

  it('decodes a body nested exactly maxNestingDepth deep', () => {
    const body = Buffer.from(nestedText(32))
    expect(serializer.decode(body)).toEqual(JSON.parse(nestedText(32)))
  })

  it('throws 1007 when a body nests deeper than maxNestingDepth', () => {
    expectError(
      () => serializer.decode(Buffer.from(nestedText(33))),
      PortcullisErrorCode.TOO_DEEP,
      1007,
    )
  })

  it.each([
    [1, 'chat.message', { from: 'ann', text: 'hi "there"' }],
    [300, 'tick', null],
    [70_000, 'tick', undefined],
    [2, 'bytes', { b: Buffer.from([1]), d: new Date(3), n: 5n }],
    [3, 'list', [1, [2, [3]], new Map([['k', 'v']])]],
  ])(
    'encodes push %i from a shared tail exactly as encode does',
    (seq, route, payload) => {
      const tail = serializer.encodePushTail(route, payload)
      expect(serializer.encodePush(seq, tail).toString('utf8')).toBe(
        text([8, seq, route, payload]),
      )
    },
  )

  it('writes a push as its literal JSON text', () => {
    const tail = serializer.encodePushTail('t', { a: [1] })
    expect(serializer.encodePush(300, tail).toString('utf8')).toBe(
      '[8,300,"t",{"a":[1]}]',
    )
  })
})
