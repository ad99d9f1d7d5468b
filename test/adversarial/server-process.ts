import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { get } from 'node:http'
import { join } from 'node:path'
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

/** The newest modification time of the files under `src/`, in ms. */
function newestSourceMs(): number {
  let newest = 0
  const names = readdirSync(join(ROOT, 'src'), { recursive: true })
  for (const name of names) {
    newest = Math.max(newest, statSync(join(ROOT, 'src', String(name))).mtimeMs)
  }
  return newest
}

/**
 * Builds dist/ for the fixture unless it is newer than every source file.
 * Type errors are the typecheck step's to report; tsc emits anyway.
 */
export function buildDist(): void {
  const built = join(ROOT, 'dist/cli/serve.js')
  if (existsSync(built) && statSync(built).mtimeMs > newestSourceMs()) return
  try {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], {
      cwd: ROOT,
      stdio: 'ignore',
    })
  } catch (error) {
    if (!existsSync(built)) {
      throw error
    }
  }
}
