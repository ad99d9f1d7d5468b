import { readFileSync } from 'node:fs'
import { decode } from '@msgpack/msgpack'
import { describe, expect, it } from 'vitest'
import {
  encodeFrame,
  Kind,
  MsgpackSerializer,
  parseEnvelope,
} from '../../src/codec/index.js'

interface Vector {
  name: string
  value: unknown[]
  body: Buffer
  frame: Buffer
}

const protocolText = readFileSync(
  new URL('../../PROTOCOL.md', import.meta.url),
  'utf8',
)

function parseHex(name: string, text: string): Buffer {
  if (!/^[0-9a-f]{2}( [0-9a-f]{2})*$/.test(text)) {
    throw new Error(`vector ${name}: not spaced hex bytes: ${text}`)
  }
  return Buffer.from(text.replaceAll(' ', ''), 'hex')
}

/**
 * Reads every fenced block that opens with `<!-- vector: name -->`. A field
 * starts with `value:`, `body:` or `frame:`; indented lines continue it.
 */
function parseVectors(text: string): Vector[] {
  const blockPattern = /^```\n<!-- vector: ([a-z0-9-]+) -->\n([\s\S]*?)^```$/gm
  const vectors: Vector[] = []
  for (const [, name = '', content = ''] of text.matchAll(blockPattern)) {
    const fields = new Map<string, string>()
    let current: string | undefined
    for (const line of content.split('\n')) {
      const start = /^(value|body|frame):\s*(.*)$/.exec(line)
      if (start !== null) {
        current = start[1] as string
        fields.set(current, (start[2] as string).trim())
      } else if (current !== undefined && line.trim() !== '') {
        fields.set(current, `${fields.get(current)} ${line.trim()}`)
      }
    }
    const value = JSON.parse(fields.get('value') ?? 'null') as unknown
    if (!Array.isArray(value)) throw new Error(`vector ${name}: no value`)
    vectors.push({
      name,
      value,
      body: parseHex(name, fields.get('body') ?? ''),
      frame: parseHex(name, fields.get('frame') ?? ''),
    })
  }
  return vectors
}

const vectors = parseVectors(protocolText)
const serializer = new MsgpackSerializer()

describe('PROTOCOL.md test vectors', () => {
  it('holds uniquely named vectors for every envelope kind', () => {
    const names = vectors.map((vector) => vector.name)
    expect(new Set(names).size).toBe(names.length)
    const kinds = new Set(vectors.map((vector) => vector.value[0]))
    for (const kind of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) {
      expect(kinds, `a vector of kind ${kind}`).toContain(kind)
    }
    expect(vectors.length).toBeGreaterThanOrEqual(25)
  })

  it('counts every vector marker in the file', () => {
    const markers = protocolText.match(/<!-- vector: /g) ?? []
    expect(vectors.length).toBe(markers.length)
  })

  describe.each(vectors)('$name', ({ value, body, frame }) => {
    it('encodes the value to exactly the body bytes', () => {
      expect(serializer.encode(value).toString('hex')).toBe(
        body.toString('hex'),
      )
    })

    it('frames the body to exactly the frame bytes', () => {
      expect(encodeFrame(body).toString('hex')).toBe(frame.toString('hex'))
    })

    it('decodes with an independent MessagePack library', () => {
      expect(decode(body)).toEqual(value)
    })

    it('decodes with our serializer and passes parseEnvelope', () => {
      const decoded = serializer.decode(body)
      expect(decoded).toEqual(value)
      expect(parseEnvelope(decoded).kind).toBe(value[0])
    })

    if (value[0] === Kind.PUSH) {
      it('equals the body when built from a shared push tail', () => {
        const [, seq, route, payload] = value as [8, number, string, unknown]
        const tail = serializer.encodePushTail(route, payload)
        expect(serializer.encodePush(seq, tail).toString('hex')).toBe(
          body.toString('hex'),
        )
      })
    }
  })
})
