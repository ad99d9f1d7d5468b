import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { get } from 'node:http'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const FIXTURE = fileURLToPath(
  new URL('../fixtures/drain-server.mjs', import.meta.url),
)

/** A gateway running in a child process (test/fixtures/drain-server.mjs). */
export interface ServerProcess {
  child: ChildProcess
  tcpPort: number
  opsPort: number
  started: () => number
  exited: Promise<number | null>
}

/** Spawns the fixture gateway and waits for its addresses. */
export async function spawnServer(
  options: Record<string, unknown>,
  nodeFlags: string[] = [],
): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...nodeFlags, FIXTURE], {
    cwd: ROOT,
    env: { ...process.env, GATEWAY_OPTIONS: JSON.stringify(options) },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  )
  let started = 0
  const addresses = await new Promise<{
    tcp: { port: number }
    ops: { port: number }
  }>((resolve, reject) => {
    child.once('exit', () => reject(new Error('fixture exited')))
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('started ')) started = Number(line.slice(8))
      else if (line.startsWith('{')) resolve(JSON.parse(line))
    })
  })
  return {
    child,
    tcpPort: addresses.tcp.port,
    opsPort: addresses.ops.port,
    started: () => started,
    exited,
  }
}

/** GETs `path` from the ops port; resolves with the status code. */
export function httpStatus(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path }, (response) => {
      response.resume()
      resolve(response.statusCode ?? 0)
    }).on('error', reject)
  })
}

/** Builds dist/ for the fixture. Type errors are the typecheck step's. */
export function buildDist(): void {
  try {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], {
      cwd: ROOT,
      stdio: 'ignore',
    })
  } catch (error) {
    if (!existsSync(new URL('../../dist/cli/serve.js', import.meta.url))) {
      throw error
    }
  }
}
