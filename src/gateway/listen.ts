import type { AddressInfo } from 'node:net'

/** Where a listener ended up. */
export interface BoundAddress {
  readonly host: string
  readonly port: number
}

interface Listenable {
  listen(options: { port: number; host?: string; backlog: number }): unknown
  once(event: 'listening' | 'error', listener: (error?: Error) => void): unknown
  off(event: 'listening' | 'error', listener: (error?: Error) => void): unknown
  address(): AddressInfo | string | null
}

/** Binds `server` and resolves with its address, or rejects (EADDRINUSE). */
export function listen(
  server: Listenable,
  port: number,
  host: string | undefined,
  backlog: number,
): Promise<BoundAddress> {
  return new Promise((resolve, reject) => {
    const onError = (error?: Error) => {
      server.off('listening', onListening)
      reject(error)
    }
    const onListening = () => {
      server.off('error', onError)
      const address = server.address() as AddressInfo
      resolve({ host: address.address, port: address.port })
    }
    server.once('error', onError)
    server.once('listening', onListening)
    server.listen(
      host === undefined ? { port, backlog } : { port, host, backlog },
    )
  })
}

/** Closes a server; resolves when it stopped accepting. */
export function closeServer(server: {
  close(callback: (error?: Error) => void): unknown
}): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()))
}
