import { type ChildProcess, execFileSync, fork } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { FromGenerator, Job, JobResult, ToGenerator } from './job.js'
import type {
  FromServer,
  ServerKind,
  ServerPorts,
  ToServer,
} from './servers/server-protocol.js'

const SERVER_SCRIPT = fileURLToPath(new URL('server-main.js', import.meta.url))
const GENERATOR_SCRIPT = fileURLToPath(
  new URL('generator-main.js', import.meta.url),
)
const START_TIMEOUT_MS = 15_000
const WANTED_OPEN_FILES = 200_000

// Node cannot raise its own file limit, so each child starts through a
// shell that raises the soft limit first (as far as the hard limit lets
// it) and then execs node, which keeps the IPC channel.
const RAISE_LIMIT =
  `ulimit -n ${WANTED_OPEN_FILES} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; ` +
  'exec "$0" "$@"'

function forkRaised(script: string, args: string[], execArgv: string[]) {
  const useShell = existsSync('/bin/bash')
  return fork(script, args, {
    ...(useShell && {
      execPath: '/bin/bash',
      execArgv: ['-c', RAISE_LIMIT, process.execPath, ...execArgv],
    }),
    ...(!useShell && { execArgv }),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
}

/** Cores the server and the generator are pinned to, when pinning works. */
export interface Pinning {
  readonly server: number | undefined
  readonly generator: number | undefined
}

/**
 * Pins every thread of `pid` to `core` with taskset; returns false when
 * taskset is missing or refuses.
 */
function pin(pid: number, core: number | undefined): boolean {
  if (core === undefined) return false
  try {
    execFileSync('taskset', ['-a', '-cp', String(core), String(pid)], {
      stdio: 'ignore',
    })
    return true
  } catch {
    return false
  }
}

/** True when taskset can pin a process here. */
export function canPin(): boolean {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

/** A server under test, running in its own process. */
export class ServerProcess {
  readonly kind: ServerKind
  readonly ports: ServerPorts
  readonly #child: ChildProcess
  #memoryWaiter: ((message: FromServer) => void) | undefined

  private constructor(
    kind: ServerKind,
    child: ChildProcess,
    ports: ServerPorts,
  ) {
    this.kind = kind
    this.#child = child
    this.ports = ports
    child.on('message', (message: FromServer) => {
      if (message.type !== 'memory') return
      const waiter = this.#memoryWaiter
      this.#memoryWaiter = undefined
      waiter?.(message)
    })
  }

  /** Forks a server of `kind` and resolves once it listens. */
  static start(
    kind: ServerKind,
    pinning: Pinning,
    execArgv: string[] = [],
  ): Promise<ServerProcess> {
    const child = forkRaised(
      SERVER_SCRIPT,
      [kind],
      ['--expose-gc', ...execArgv],
    )
    pin(child.pid as number, pinning.server)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL')
        reject(new Error(`${kind} server did not start in time`))
      }, START_TIMEOUT_MS)
      child.once('message', (message: FromServer) => {
        clearTimeout(timer)
        if (message.type === 'ready') {
          resolve(new ServerProcess(kind, child, message.ports))
        } else {
          child.kill('SIGKILL')
          reject(new Error(`${kind} server failed: ${JSON.stringify(message)}`))
        }
      })
      child.once('exit', (code) => {
        clearTimeout(timer)
        reject(new Error(`${kind} server exited with ${code}`))
      })
    })
  }

  get pid(): number {
    return this.#child.pid as number
  }

  #tell(message: ToServer): void {
    this.#child.send(message)
  }

  /** RSS and heap after a full GC in the server. */
  memory(): Promise<{ rssBytes: number; heapUsedBytes: number }> {
    return new Promise((resolve) => {
      this.#memoryWaiter = (message) => {
        if (message.type === 'memory') resolve(message)
      }
      this.#tell({ type: 'memory' })
    })
  }

  /** Starts the broadcast ticker (Portcullis only). */
  broadcast(roomSize: number, tickHz: number): void {
    this.#tell({ type: 'broadcast', roomSize, tickHz })
  }

  /** Asks the server to stop; kills it if it has not within 5 s. */
  stop(): Promise<void> {
    const child = this.#child
    if (child.exitCode !== null || child.signalCode !== null) {
      return Promise.resolve()
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
      child.once('exit', () => {
        clearTimeout(timer)
        resolve()
      })
      try {
        this.#tell({ type: 'stop' })
      } catch {
        child.kill('SIGKILL')
      }
    })
  }
}

/**
 * Runs one job in a fresh generator process pinned to its own core,
 * answering its memory questions from `server`. Rejects if the generator
 * fails or outlives the job's time limit.
 */
export function runGenerator(
  job: Job,
  server: ServerProcess,
  pinning: Pinning,
  onProgress: (fraction: number) => void,
): Promise<JobResult> {
  const child = forkRaised(GENERATOR_SCRIPT, [], [])
  pin(child.pid as number, pinning.generator)
  return new Promise((resolve, reject) => {
    let settled = false
    const settle = (error: Error | undefined, result?: JobResult) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      if (child.exitCode === null) setTimeout(() => child.kill(), 200)
      if (error !== undefined) reject(error)
      else resolve(result as JobResult)
    }
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      settle(new Error(`${job.scenario} ${job.target}: generator timed out`))
    }, job.timeoutMs + 5_000)
    child.on('message', (message: FromGenerator) => {
      if (message.type === 'progress') onProgress(message.fraction)
      else if (message.type === 'memory?') {
        server.memory().then((memory) => {
          const reply: ToGenerator = { type: 'memory', ...memory }
          child.send(reply)
        })
      } else if (message.type === 'result') settle(undefined, message.result)
      else settle(new Error(`generator failed: ${message.message}`))
    })
    child.once('exit', (code) =>
      settle(new Error(`generator exited with ${code} before reporting`)),
    )
    const start: ToGenerator = { type: 'job', job }
    child.send(start)
  })
}
