import type { Server, TLSSocket } from 'node:tls'

/**
 * Makes `server` destroy every connection whose handshake fails or misses
 * its deadline. Node only reports a handshake timeout as `tlsClientError`
 * and leaves the socket open, so a silent client would hold its socket
 * forever. Returns a function that removes the listener. Add your own
 * `tlsClientError` listener to count and log these drops.
 */
export function dropFailedHandshakes(server: Server): () => void {
  const drop = (_error: Error, socket: TLSSocket): void => {
    socket.destroy()
  }
  server.on('tlsClientError', drop)
  return () => {
    server.off('tlsClientError', drop)
  }
}
