// The browser build of portcullis/client, run where it is meant to run: a
// real headless Chromium (Debian's, driven by playwright-core) loads the
// rolldown bundle from a local page and chats over ws:// with a player
// connected from Node. Missing prerequisites fail the test, never skip it.
import { existsSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterEach, describe, expect, it } from 'vitest'
import {
  PortcullisClient,
  type PortcullisClient as PortcullisClientType,
} from '../../src/client/index.js'
import { ChatLobby, chatLineRenderer } from '../../src/demo/chat-lobby.js'
import type { Gateway } from '../../src/gateway/gateway.js'
import { portOf, startGateway } from '../helpers/gateway.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const CHROMIUM = '/usr/bin/chromium'
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]
// rolldown arrives with vite (vitest's bundler).
const rolldown = await import('rolldown').catch(() => undefined)

interface Chunk {
  type: string
  fileName: string
  code?: string
  isEntry?: boolean
  imports?: string[]
}

interface Push {
  route: string
  payload: Record<string, unknown>
}

/** What the page's script sees: the bundle's exports and its client. */
interface PageGlobals {
  portcullis?: typeof import('../../src/client/index.js')
  client?: PortcullisClientType
  reportPush(push: Push): Promise<void>
}

/** Cleanups of the running test, last first. */
const cleanups: Array<() => unknown> = []

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

function needRolldown(): NonNullable<typeof rolldown> {
  if (rolldown === undefined) {
    throw new Error(
      'rolldown is missing: it comes with vitest (vite); run npm ci',
    )
  }
  return rolldown
}

function needChromium(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: install chromium: apt-get install -y chromium`,
    )
  }
}

/** Bundles src/client/index.ts for the browser, in memory. */
async function bundleClient(): Promise<{ chunks: Chunk[]; entry: Chunk }> {
  const bundle = await needRolldown().rolldown({
    input: join(root, 'src/client/index.ts'),
    platform: 'browser',
    resolve: { extensionAlias: { '.js': ['.ts', '.js'] } },
    external: [/^node:/],
    logLevel: 'silent',
  })
  try {
    const { output } = await bundle.generate({ format: 'esm' })
    const chunks = output as Chunk[]
    const entry = chunks.find((chunk) => chunk.isEntry)
    if (entry === undefined) throw new Error('the bundle has no entry chunk')
    return { chunks, entry }
  } finally {
    await bundle.close()
  }
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

/** Serves a page that loads the bundle, and the bundle's chunks. */
async function servePage(chunks: Chunk[], entry: Chunk): Promise<string> {
  const files = new Map<string, string>()
  for (const chunk of chunks) {
    if (chunk.code !== undefined) files.set(`/${chunk.fileName}`, chunk.code)
  }
  const html = [
    '<!doctype html>',
    '<meta charset="utf-8">',
    '<link rel="icon" href="data:,">',
    '<title>portcullis client</title>',
    '<script type="module">',
    `import * as portcullis from './${entry.fileName}'`,
    'window.portcullis = portcullis',
    '</script>',
  ].join('\n')
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname
    const code = files.get(path)
    if (path === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      response.end(html)
    } else if (code !== undefined) {
      response.writeHead(200, { 'content-type': 'text/javascript' })
      response.end(code)
    } else {
      response.writeHead(404).end()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanups.push(() => {
    server.closeAllConnections()
    return new Promise((resolve) => server.close(resolve))
  })
  const { port } = server.address() as AddressInfo
  return `http://127.0.0.1:${port}/`
}

async function openBrowser(): Promise<Browser> {
  needChromium()
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
  })
  cleanups.push(() => browser.close())
  return browser
}

/** Resolves once `check` is true, or fails naming what it waited for. */
async function until(
  check: () => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

function collect(client: PortcullisClient): Push[] {
  const pushes: Push[] = []
  client.onPush((route, payload) =>
    pushes.push({ route, payload: payload as Record<string, unknown> }),
  )
  return pushes
}

/** Errors the page threw or logged, to assert there were none. */
function pageErrors(page: Page): string[] {
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(error.message))
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text())
  })
  return errors
}

describe('the client in a real browser', () => {
  it('bundles with no static import of a Node module', async () => {
    const { chunks, entry } = await bundleClient()
    const nodeImports = staticClosure(chunks, entry).flatMap((chunk) =>
      (chunk.imports ?? []).filter((name) => name.startsWith('node:')),
    )
    expect(nodeImports).toEqual([])
  })

  it('chats over ws:// from headless Chromium with a player in Node', async () => {
    needChromium()
    const { chunks, entry } = await bundleClient()
    const pageUrl = await servePage(chunks, entry)

    const gateway: Gateway = await startGateway(
      {},
      { lineRenderer: chatLineRenderer },
    )
    cleanups.push(() => gateway.close())
    new ChatLobby(gateway)
    gateway.route('echo', (context) => context.payload)
    const wsUrl = `ws://127.0.0.1:${portOf(gateway, 'ws')}`
    const tcpUrl = `tcp://127.0.0.1:${portOf(gateway, 'tcp')}`

    const browser = await openBrowser()
    const page = await browser.newPage()
    const errors = pageErrors(page)
    const pagePushes: Push[] = []
    await page.exposeFunction('reportPush', (push: Push) => {
      pagePushes.push(push)
    })
    await page.goto(pageUrl)
    await page.waitForFunction(
      () => (globalThis as unknown as PageGlobals).portcullis !== undefined,
    )

    // The page connects, joins and echoes bytes; no Buffer in a browser.
    const joined = await page.evaluate(async (url) => {
      const scope = globalThis as unknown as PageGlobals
      const client = await scope.portcullis!.PortcullisClient.connect(url, {
        reconnect: false,
      })
      scope.client = client
      client.onPush((route, payload) => {
        void scope.reportPush({
          route,
          payload: payload as Record<string, unknown>,
        })
      })
      const joined = await client.request('chat.join', { name: 'page' })
      const echoed = (await client.request('echo', {
        bytes: new Uint8Array([1, 2, 255]),
      })) as { bytes: Uint8Array }
      return {
        sessionId: client.sessionId,
        state: client.state,
        joined,
        echoed: [...echoed.bytes],
        echoedUint8Array: echoed.bytes instanceof Uint8Array,
        hasBuffer: 'Buffer' in globalThis,
        userAgent: navigator.userAgent,
      }
    }, wsUrl)
    expect(joined).toMatchObject({
      sessionId: expect.any(String),
      state: 'open',
      joined: { name: 'page', players: ['page'] },
      echoed: [1, 2, 255],
      echoedUint8Array: true,
      hasBuffer: false,
    })
    expect(joined.userAgent).toMatch(/Chrome\//)

    // A player in Node joins the same room and speaks.
    const node = await PortcullisClient.connect(tcpUrl, { reconnect: false })
    cleanups.push(() => node.destroy())
    const nodePushes = collect(node)
    expect(await node.request('chat.join', { name: 'node' })).toEqual({
      name: 'node',
      players: ['page', 'node'],
    })
    await node.request('chat.say', { text: 'hello from node' })
    await until(
      () => pagePushes.some((push) => push.route === 'chat.message'),
      'the page to receive chat.message',
    )
    expect(pagePushes).toEqual([
      { route: 'chat.joined', payload: { name: 'node' } },
      {
        route: 'chat.message',
        payload: { from: 'node', text: 'hello from node' },
      },
    ])

    // The page speaks; the Node player hears it.
    await page.evaluate(async () => {
      const scope = globalThis as unknown as PageGlobals
      await scope.client!.request('chat.say', { text: 'hello from chromium' })
    })
    await until(
      () => nodePushes.some((push) => push.route === 'chat.message'),
      'the Node player to receive chat.message',
    )
    expect(nodePushes).toEqual([
      {
        route: 'chat.message',
        payload: { from: 'page', text: 'hello from chromium' },
      },
    ])

    // The page leaves cleanly; the Node player sees it go.
    const closed = await page.evaluate(async () => {
      const scope = globalThis as unknown as PageGlobals
      await scope.client!.close()
      return { closed: scope.client!.closed, state: scope.client!.state }
    })
    expect(closed).toEqual({ closed: true, state: 'closed' })
    await until(
      () => nodePushes.some((push) => push.route === 'chat.left'),
      'the Node player to see the page leave',
    )
    expect(nodePushes.at(-1)).toEqual({
      route: 'chat.left',
      payload: { name: 'page' },
    })
    expect(errors).toEqual([])
  }, 60_000)
})
