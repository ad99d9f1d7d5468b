const BAR_WIDTH = 24

/**
 * A progress bar on stderr: redrawn in place on a terminal, one line per
 * run otherwise (CI logs).
 */
export class ProgressBar {
  readonly #total: number
  readonly #tty = process.stderr.isTTY === true
  #done = 0
  #label = ''

  constructor(total: number) {
    this.#total = Math.max(1, total)
  }

  /** A new run starts. */
  start(label: string): void {
    this.#label = label
    if (!this.#tty) {
      process.stderr.write(`[${this.#done + 1}/${this.#total}] ${label}\n`)
    }
    this.update(0)
  }

  /** The current run is `fraction` done. */
  update(fraction: number): void {
    if (!this.#tty) return
    const overall = (this.#done + Math.min(1, fraction)) / this.#total
    const filled = Math.round(overall * BAR_WIDTH)
    const bar = '#'.repeat(filled) + '.'.repeat(BAR_WIDTH - filled)
    const line =
      `[${bar}] ${this.#done + 1}/${this.#total} ${this.#label} ` +
      `${Math.round(fraction * 100)}%`
    process.stderr.write(`\r${line.slice(0, 100).padEnd(100)}`)
  }

  /** The current run ended. */
  finish(): void {
    this.#done += 1
  }

  /** Clears the bar before the report prints. */
  close(): void {
    if (this.#tty) process.stderr.write(`\r${' '.repeat(100)}\r`)
  }
}
