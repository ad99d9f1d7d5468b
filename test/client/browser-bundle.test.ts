import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import type { Gateway } from '../../src/gateway/gateway.js'
import { startGateway } from '../resume/helpers.js'

const run = promisify(execFile)
const root = fileURLToPath(new URL('../..', import.meta.url))
// rolldown arrives with vite (vitest's bundler); without it, skip.
const rolldown = await import('rolldown').catch(() => undefined)

let gateway: Gateway | undefined
let dir: string | undefined

afterEach(async () => {
  await gateway?.close()
  if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  gateway = dir = undefined
})

interface Chunk {
  type: string
  fileName: string
  code?: string
  isEntry?: boolean
  imports?: string[]
}

/** The chunks a static import of `start` loads, `start` included. */
function staticClosure(chunks: Chunk[], start: Chunk): Chunk[] {
  const byName = new Map(chunks.map((chunk) => [chunk.fileName, chunk]))
  const seen = new Set<Chunk>()
  const visit = (chunk: Chunk) => {
    if (seen.has(chunk)) return
    seen.add(chunk)
    for (const name of chunk.imports ?? []) {
      const next = byName.get(name)
      if (next !== undefined) visit(next)
    }
  }
  visit(start)
  return [...seen]
}

describe.skipIf(rolldown === undefined)(
  'the browser build of the client',
  () => {
    it('loads no Node module statically and speaks ws:// without Buffer', async () => {
      const bundle = await rolldown!.rolldown({
        input: join(root, 'src/client/index.ts'),
        platform: 'browser',
        resolve: { extensionAlias: { '.js': ['.ts', '.js'] } },
        external: [/^node:/],
        logLevel: 'silent',
      })
      const { output } = await bundle.generate({ format: 'esm' })
      const chunks = output as Chunk[]
      const entry = chunks.find((chunk) => chunk.isEntry)!
      const loaded = staticClosure(chunks, entry)
      const nodeImports = loaded.flatMap((chunk) =>
        (chunk.imports ?? []).filter((name) => name.startsWith('node:')),
      )
      expect(nodeImports).toEqual([])

      dir = await mkdtemp(join(tmpdir(), 'portcullis-browser-'))
      for (const chunk of chunks) {
        if (chunk.code !== undefined) {
          // Node's own WebSocket needs the global Buffer; the client
          // must not, so its chunks see none.
          const code = `const Buffer = undefined;\n${chunk.code}`
          await writeFile(join(dir, chunk.fileName), code)
        }
      }
      const started = await startGateway()
      gateway = started.gateway
      gateway.route('echo', (context) => context.payload)
      gateway.route('push-me', (context) => {
        context.session.push('n', context.payload)
        return null
      })
      const { stdout } = await run(process.execPath, [
        '--experimental-websocket',
        join(root, 'test/client/browser-runner.mjs'),
        join(dir, entry.fileName),
        started.wsUrl,
      ])
      const seen = JSON.parse(stdout.trim().split('\n').at(-1)!)
      expect(seen).toMatchObject({
        echoed: [1, 2],
        pushes: [3],
      })
    })
  },
)
