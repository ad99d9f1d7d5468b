import { connect } from 'node:net'
import { decode } from '@msgpack/msgpack'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  FrameDecoder,
  isCloseCode,
  MsgpackSerializer,
  PortcullisError,
  parseEnvelope,
} from '../../src/codec/index.js'
import { Gateway } from '../../src/gateway/gateway.js'
import {
  frame,
  heldBytes,
  TEST_OPTIONS,
  waitFor,
} from '../adversarial/helpers.js'

// Short by default; `npm run fuzz` sets FUZZ_RUNS=1000000. FUZZ_SEED
// replays a failure: the seed of every run is printed.
const RUNS = Number(process.env.FUZZ_RUNS ?? 2_000)
const SOCKET_RUNS = Math.max(50, Math.min(20_000, Math.floor(RUNS / 20)))
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31)
const MAX_FRAME_BYTES = 4096
const MIB = 1024 * 1024

const serializer = new MsgpackSerializer(8)

/** Envelopes a client may send, well formed. */
const validEnvelope: fc.Arbitrary<unknown[]> = fc
  .oneof(
    fc.constant([1, 1, {}]),
    fc.tuple(fc.constant(3), fc.nat(), fc.nat()),
    fc.tuple(fc.constant(5), fc.nat(2 ** 32 - 1), fc.string(), fc.jsonValue()),
    fc.tuple(fc.constant(7), fc.string(), fc.jsonValue()),
    fc.tuple(fc.constant(9), fc.nat()),
    fc.tuple(fc.constant(10), fc.constant(1000), fc.string()),
  )
  .map((value): unknown[] => [...value])

/** A valid frame with bytes flipped, cut, inserted, or its length lied. */
const mutatedFrame: fc.Arbitrary<Uint8Array> = fc
  .tuple(
    validEnvelope,
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
      maxLength: 4,
    }),
    fc.option(fc.nat(), { nil: undefined }),
    fc.option(fc.nat(2 ** 32 - 1), { nil: undefined }),
  )
  .map(([value, flips, cut, length]) => {
    const bytes = Buffer.from(frame(value))
    for (const [at, byte] of flips) bytes[at % bytes.length] = byte
    if (length !== undefined) bytes.writeUInt32BE(length)
    return cut === undefined ? bytes : bytes.subarray(0, cut % bytes.length)
  })

const anyBytes = fc.oneof(
  mutatedFrame,
  fc.uint8Array({ maxLength: 300 }),
  fc.array(mutatedFrame, { maxLength: 5 }).map((parts) => Buffer.concat(parts)),
)

/** Feeds `bytes` in `chunks` pieces; returns how each frame ended. */
function decodeAll(bytes: Uint8Array, splits: number[]): string[] {
  const outcomes: string[] = []
  const decoder = new FrameDecoder(MAX_FRAME_BYTES)
  const onBody = (body: Buffer) => {
    try {
      const envelope = parseEnvelope(serializer.decode(body))
      outcomes.push(`envelope ${envelope.kind}`)
    } catch (error) {
      outcomes.push(closeOf(error))
    }
  }
  let offset = 0
  for (const split of [...splits, bytes.length]) {
    const end = Math.min(bytes.length, Math.max(offset, split))
    const error = decoder.push(bytes.subarray(offset, end), onBody)
    if (error !== undefined) outcomes.push(closeOf(error))
    offset = end
  }
  return outcomes
}

function closeOf(error: unknown): string {
  if (!(error instanceof PortcullisError)) throw error
  const code = error.closeCode
  if (code === undefined || !isCloseCode(code)) {
    throw new Error(`error ${error.code} without a documented close code`)
  }
  return `close ${code}`
}

describe(`wire fuzzing (seed ${SEED}, ${RUNS} inputs)`, () => {
  beforeAll(() => {
    console.log(`wire fuzz seed ${SEED} (set FUZZ_SEED to replay)`)
  })

  it('decodes every input to envelopes or a documented close', () => {
    fc.assert(
      fc.property(
        anyBytes,
        fc.array(fc.nat(400), { maxLength: 6 }),
        (bytes, splits) => {
          for (const outcome of decodeAll(bytes, splits.sort())) {
            expect(outcome).toMatch(/^(envelope \d+|close \d+)$/)
          }
        },
      ),
      { seed: SEED, numRuns: RUNS },
    )
  })

  describe('against a gateway over a real socket', () => {
    let gateway: Gateway
    let port: number

    beforeAll(async () => {
      gateway = new Gateway({
        ...TEST_OPTIONS,
        wsPort: 'off',
        linePort: 'off',
        opsPort: 'off',
        maxFrameBytes: MAX_FRAME_BYTES,
        maxNestingDepth: 8,
        resumeWindowMs: 0,
        handlerTimeoutMs: 200,
      })
      gateway.route('echo', (context) => context.payload)
      gateway.route('fails', () => {
        throw new Error('fuzzed')
      })
      port = (await gateway.listen()).tcp!.port
    })

    afterAll(async () => {
      await gateway.close()
    })

    it('answers with envelopes or a documented close, memory bounded', async () => {
      const before = heldBytes()
      await fc.assert(
        fc.asyncProperty(fc.boolean(), anyBytes, async (hello, bytes) => {
          const received = await exchange(port, hello, bytes)
          for (const message of received) {
            expect([2, 4, 6, 8, 10]).toContain(message[0])
            if (message[0] === 10) expect(isCloseCode(message[1] as number))
          }
        }),
        { seed: SEED, numRuns: SOCKET_RUNS },
      )
      await waitFor(() => gateway.liveSessions === 0, 10_000, 'sessions end')
      const metric = await gateway.metrics.registry.getSingleMetricAsString(
        'portcullis_closes_total',
      )
      for (const match of metric.matchAll(/code="(\d+)"/g)) {
        expect(isCloseCode(Number(match[1])), match[0]).toBe(true)
      }
      expect(heldBytes() - before).toBeLessThan(16 * MIB)
    }, 600_000)
  })
})

/**
 * Connects, optionally says HELLO, writes `bytes`, ends its side and
 * collects what the server sends until the connection is gone.
 */
function exchange(
  port: number,
  hello: boolean,
  bytes: Uint8Array,
): Promise<unknown[][]> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port })
    const decoder = new FrameDecoder(16 * MIB)
    const received: unknown[][] = []
    socket.on('data', (chunk: Buffer) => {
      decoder.push(chunk, (data) => received.push(decode(data) as unknown[]))
    })
    socket.on('error', () => {})
    socket.on('close', () => resolve(received))
    socket.setTimeout(5_000, () => {
      socket.destroy()
      reject(new Error('the gateway neither answered nor closed'))
    })
    if (hello) socket.write(frame([1, 1, {}]))
    socket.end(bytes)
  })
}
