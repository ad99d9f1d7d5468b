import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { PortcullisClient } from '../client/index.js'

const USAGE = `Usage: portcullis client URL [options]

Connects to a gateway (tcp://, tls://, ws:// or wss://) and reads commands
from standard input, one per line:

  request ROUTE [JSON]   send a REQUEST and print its response
  notify ROUTE [JSON]    send a NOTIFY
  quit                   leave (CLOSE 1000)

Pushes are printed as they arrive.

Options:
  --ca FILE              trust this CA (PEM) for tls:// and wss://
  --credentials JSON     credentials for the server's auth hook
  --serializer NAME      msgpack (default) or json
  --timeout-ms N         request timeout (default 10000)
`

function parseJson(text: string | undefined): unknown {
  if (text === undefined || text.trim() === '') return null
  return JSON.parse(text)
}

function show(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    typeof v === 'bigint' ? v.toString() : v,
  )
}

/** Runs `portcullis client`. */
export async function runClient(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseArgs>
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        ca: { type: 'string' },
        credentials: { type: 'string' },
        serializer: { type: 'string' },
        'timeout-ms': { type: 'string' },
        help: { type: 'boolean' },
      },
    })
  } catch (error) {
    console.error(`portcullis client: ${(error as Error).message}`)
    return 2
  }
  const { values, positionals } = parsed
  const url = positionals[0]
  if (values.help || url === undefined) {
    console.log(USAGE)
    return values.help ? 0 : 2
  }

  const serializer = values.serializer ?? 'msgpack'
  if (serializer !== 'msgpack' && serializer !== 'json') {
    console.error('portcullis client: --serializer must be msgpack or json')
    return 2
  }
  const timeoutMs = Number(values['timeout-ms'] ?? 10_000)
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
    console.error('portcullis client: --timeout-ms must be a positive integer')
    return 2
  }
  let credentials: unknown
  try {
    credentials = parseJson(values.credentials as string | undefined)
  } catch (error) {
    const why = (error as Error).message
    console.error(`portcullis client: --credentials is not JSON: ${why}`)
    return 2
  }

  let client: PortcullisClient
  try {
    const ca = values.ca as string | undefined
    client = await PortcullisClient.connect(url, {
      serializer,
      requestTimeoutMs: timeoutMs,
      ...(credentials === null ? {} : { credentials }),
      ...(ca === undefined ? {} : { tls: { ca: readFileSync(ca) } }),
    })
  } catch (error) {
    console.error(`portcullis client: ${(error as Error).message}`)
    return 1
  }
  console.log(`connected: session ${client.sessionId}`)
  client.onPush((route, payload, seq) =>
    console.log(`push #${seq} ${route} ${show(payload)}`),
  )

  return new Promise((resolve) => {
    const input = createInterface({ input: process.stdin })
    client.onClose((code, reason) => {
      console.log(`closed: ${code} ${reason}`)
      input.close()
      resolve(code === 1000 ? 0 : 1)
    })
    let lineNumber = 0
    input.on('line', (line) => {
      lineNumber += 1
      const at = `line ${lineNumber}`
      const match = /^\s*(\S+)\s*(\S*)\s*(.*)$/.exec(line)
      const [, command, route = '', json] = match ?? []
      try {
        if (command === 'quit') client.close()
        else if (command === 'notify') client.notify(route, parseJson(json))
        else if (command === 'request') {
          client.request(route, parseJson(json)).then(
            (value) => console.log(`${at}: response ${show(value)}`),
            (error: Error) => console.log(`${at}: error ${error.message}`),
          )
        } else if (command !== undefined) {
          console.log(
            'commands: request ROUTE [JSON], notify ROUTE [JSON], quit',
          )
        }
      } catch (error) {
        console.log(`${at}: error ${(error as Error).message}`)
      }
    })
    input.on('close', () => {
      if (!client.closed) client.close()
    })
  })
}
