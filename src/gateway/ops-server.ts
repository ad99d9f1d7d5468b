import { createServer, type Server } from 'node:http'
import type { Registry } from 'prom-client'

/** What the ops endpoint reads from the gateway. */
export interface OpsState {
  /** True once every listener is bound and the gateway is not draining. */
  ready(): boolean
  readonly registry: Registry
}

/**
 * The operators' HTTP endpoint: `/healthz` (the process answers),
 * `/readyz` (take traffic: 200, or 503 while starting or draining) and
 * `/metrics` (Prometheus text format).
 */
export function createOpsServer(state: OpsState): Server {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0]
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end()
      return
    }
    if (path === '/healthz') {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n')
      return
    }
    if (path === '/readyz') {
      const ready = state.ready()
      response
        .writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' })
        .end(ready ? 'ready\n' : 'not ready\n')
      return
    }
    if (path === '/metrics') {
      state.registry.metrics().then(
        (text) => {
          response
            .writeHead(200, { 'content-type': state.registry.contentType })
            .end(text)
        },
        () => response.writeHead(500).end(),
      )
      return
    }
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n')
  })
  server.keepAliveTimeout = 5_000
  server.headersTimeout = 10_000
  server.requestTimeout = 10_000
  return server
}
