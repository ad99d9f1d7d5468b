import { readFileSync } from 'node:fs'

/** Clock ticks per second of /proc CPU times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100

/**
 * CPU seconds (user + system, every thread) a process has used so far,
 * from /proc/PID/stat; undefined where /proc is missing.
 */
export function cpuSeconds(pid: number): number | undefined {
  let text: string
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1')
  } catch {
    return undefined
  }
  // The command name may hold spaces; fields are counted after its ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
  const user = Number(fields[11])
  const system = Number(fields[12])
  return (user + system) / TICKS_PER_SECOND
}

/** CPU seconds every core of the machine spent busy so far (/proc/stat). */
export function machineBusySeconds(): number | undefined {
  let text: string
  try {
    text = readFileSync('/proc/stat', 'latin1')
  } catch {
    return undefined
  }
  const fields = text.slice(0, text.indexOf('\n')).split(/\s+/).slice(1)
  const ticks = fields.map(Number)
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0)
  const total = ticks.slice(0, 8).reduce((sum, value) => sum + value, 0)
  return (total - idle) / TICKS_PER_SECOND
}

/** CPU used by the server and the generator over a measured window. */
export class CpuWindow {
  readonly #serverPid: number
  readonly #startedAtMs = performance.now()
  readonly #serverStart: number | undefined
  readonly #selfStart: number | undefined
  readonly #machineStart: number | undefined

  constructor(serverPid: number) {
    this.#serverPid = serverPid
    this.#serverStart = cpuSeconds(serverPid)
    this.#selfStart = cpuSeconds(process.pid)
    this.#machineStart = machineBusySeconds()
  }

  /**
   * Wall seconds, and CPU seconds of the server, the generator and
   * everything else on the machine (other work makes a run noisy).
   */
  read(): {
    seconds: number
    serverCpu: number
    generatorCpu: number
    otherCpu: number
  } {
    const server = cpuSeconds(this.#serverPid)
    const self = cpuSeconds(process.pid)
    const machine = machineBusySeconds()
    const serverCpu = (server ?? Number.NaN) - (this.#serverStart ?? Number.NaN)
    const generatorCpu = (self ?? Number.NaN) - (this.#selfStart ?? Number.NaN)
    const busy = (machine ?? Number.NaN) - (this.#machineStart ?? Number.NaN)
    return {
      seconds: (performance.now() - this.#startedAtMs) / 1000,
      serverCpu,
      generatorCpu,
      otherCpu: Math.max(0, busy - serverCpu - generatorCpu),
    }
  }
}
