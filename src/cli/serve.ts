import { parseArgs } from 'node:util'
import { PortcullisError } from '../codec/index.js'
import { ChatLobby, chatLineRenderer } from '../demo/chat-lobby.js'
import { Gateway } from '../gateway/gateway.js'
import {
  defaultOptions,
  envName,
  flagName,
  type GatewayOptions,
  optionNames,
  optionsFromEnv,
  optionsFromFlags,
} from '../gateway/options.js'

const USAGE = `Usage: portcullis serve [--demo] [--OPTION VALUE ...]

Starts the gateway. SIGHUP reloads TLS certificates; SIGINT and SIGTERM
drain it and exit. Every option is also read from PORTCULLIS_* environment
variables (flags win). Ports take a number, 0 for any free port, or 'off'.

  --demo                 install the demo chat lobby
  --host HOST            address of the game listeners (default: all)
  --tcp-port N           raw TCP (default 7000)
  --ws-port N            WebSocket (default 7001)
  --line-port N          telnet line protocol (default 7002)
  --tls DIR|self-signed  TLS on 7443 and WSS on 7444, certificates from DIR
                         (server.pem, server-key.pem) or made on first start
  --tls-cert F --tls-key F      ...or from these PEM files
  --tls-pfx F --tls-passphrase P  ...or from a PKCS#12 file
  --tls-port N / --wss-port N   TLS-TCP 7443 / WSS 7444
  --data-dir DIR         where self-signed certificates are kept (./.portcullis)
  --ops-host H --ops-port N     health and metrics (127.0.0.1:7090)
  --log-level LEVEL      fatal|error|warn|info|debug|trace|silent

Environment example: ${envName('tcpPort')}=7100

All options, with their defaults (names carry units: ...Ms, max...Bytes):
${optionList()}
`

function optionList(): string {
  const defaults = defaultOptions() as Record<string, unknown>
  return optionNames
    .filter((name) => name !== 'nodeId')
    .map((name) => {
      const value = defaults[name]
      const shown = value === undefined ? '(unset)' : String(value)
      return `  --${flagName(name).padEnd(28)} ${shown}`
    })
    .join('\n')
}

/**
 * Lets negative numbers follow a flag: parseArgs would take `-5` for an
 * option, so `--flag -5` becomes `--flag=-5`.
 */
function joinNegativeValues(argv: string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    const next = argv[i + 1]
    if (arg.startsWith('--') && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`)
      i += 1
    } else out.push(arg)
  }
  return out
}

/** Runs `portcullis serve`; resolves when the gateway has stopped. */
export async function runServe(argv: string[]): Promise<number> {
  const definitions: Record<string, { type: 'string' | 'boolean' }> = {
    demo: { type: 'boolean' },
    help: { type: 'boolean' },
  }
  for (const name of optionNames)
    definitions[flagName(name)] = { type: 'string' }
  let flags: Record<string, string | boolean | undefined>
  try {
    flags = parseArgs({
      args: joinNegativeValues(argv),
      options: definitions,
      strict: true,
    }).values
  } catch (error) {
    console.error(`portcullis serve: ${(error as Error).message}\n\n${USAGE}`)
    return 2
  }
  if (flags.help) {
    console.log(USAGE)
    return 0
  }

  const options: GatewayOptions = {
    ...optionsFromEnv(process.env),
    ...optionsFromFlags(flags),
  }
  let gateway: Gateway
  try {
    gateway = new Gateway(
      options,
      flags.demo ? { lineRenderer: chatLineRenderer } : {},
    )
  } catch (error) {
    if (error instanceof PortcullisError) {
      console.error(`portcullis serve: ${error.message}`)
      return 2
    }
    throw error
  }
  if (flags.demo) new ChatLobby(gateway)

  try {
    await gateway.listen()
  } catch (error) {
    const message = (error as Error).message
    gateway.logger.fatal({ err: message }, 'cannot listen')
    console.error(`portcullis serve: cannot listen: ${message}`)
    await gateway.close()
    return 1
  }
  return waitForSignal(gateway)
}

/**
 * Drains `gateway` on SIGINT or SIGTERM (a second signal exits at once) and
 * reloads TLS on SIGHUP; resolves with the process exit code.
 */
export function waitForSignal(gateway: Gateway): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false
    const stop = (signal: string) => {
      if (stopping) {
        gateway.logger.warn({ signal }, 'second signal: exiting now')
        resolve(1)
        return
      }
      stopping = true
      gateway.logger.info({ signal }, 'stopping')
      gateway.close().then(
        () => resolve(0),
        () => resolve(1),
      )
    }
    process.on('SIGHUP', () => {
      gateway.reloadTls().catch(() => undefined)
    })
    process.on('SIGINT', () => stop('SIGINT'))
    process.on('SIGTERM', () => stop('SIGTERM'))
  })
}
