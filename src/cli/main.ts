#!/usr/bin/env node
import { runServe } from './serve.js'

const USAGE = `Usage: portcullis <command> [options]

Commands:
  serve     start the gateway (--demo for the chat lobby)
  certs     make a private CA and server certificates, or inspect one
  client    connect to a gateway and talk to it from the terminal
  bench     load benchmark against raw net, raw ws and Socket.IO

Run 'portcullis <command> --help' for a command's options.
`

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  switch (command) {
    case 'serve':
      return runServe(rest)
    case 'certs': {
      const { runCerts } = await import('./certs.js')
      return runCerts(rest)
    }
    case 'client': {
      const { runClient } = await import('./client.js')
      return runClient(rest)
    }
    case 'bench': {
      const { runBench } = await import('./bench.js')
      return runBench(rest)
    }
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      console.log(USAGE)
      return command === undefined ? 2 : 0
    default:
      console.error(`portcullis: unknown command '${command}'\n\n${USAGE}`)
      return 2
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error)
    process.exit(1)
  },
)
