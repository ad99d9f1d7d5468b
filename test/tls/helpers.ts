import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import type { AddressInfo, Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  type ConnectionOptions,
  connect,
  createServer,
  type Server,
  type TLSSocket,
  type TlsOptions,
} from 'node:tls'

/** Result of running the openssl program. */
export interface OpensslResult {
  code: number
  stdout: string
  stderr: string
}

/** Runs the real openssl binary; never rejects on a non-zero exit. */
export function openssl(args: string[]): Promise<OpensslResult> {
  return new Promise((resolve) => {
    const child = execFile(
      'openssl',
      args,
      { timeout: 15_000 },
      (error, stdout, stderr) => {
        const code =
          error === null ? 0 : typeof error.code === 'number' ? error.code : 1
        resolve({ code, stdout, stderr })
      },
    )
    child.stdin?.end()
  })
}

/** Temporary directories made by a test file, removed by `cleanup`. */
export class TempDirs {
  readonly #dirs: string[] = []

  async make(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'portcullis-tls-'))
    this.#dirs.push(dir)
    return dir
  }

  async cleanup(): Promise<void> {
    const dirs = this.#dirs.splice(0)
    await Promise.all(
      dirs.map((dir) => rm(dir, { recursive: true, force: true })),
    )
  }
}

/** A TLS echo server on 127.0.0.1, port 0, for tests. */
export interface EchoServer {
  server: Server
  port: number
  /** Destroys every connection and closes the server. */
  close(): Promise<void>
}

/** Starts a TLS server that echoes what each client sends. */
export async function startEchoServer(
  options: TlsOptions,
  prepare: (server: Server) => void = () => {},
): Promise<EchoServer> {
  const sockets = new Set<Socket>()
  const server = createServer(options, (socket) => socket.pipe(socket))
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  server.on('tlsClientError', () => {})
  prepare(server)
  const port = await new Promise<number>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve((server.address() as AddressInfo).port)
    })
  })

  return {
    server,
    port,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}

/** Connects a TLS client; resolves once the handshake succeeded. */
export function connectTls(
  port: number,
  options: ConnectionOptions,
): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ...options })
    socket.once('secureConnect', () => resolve(socket))
    socket.once('error', reject)
  })
}
