import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'

// src/bench-kit/report or dist/bench-kit/report: three levels below the
// package root, where git is asked about the commit.
const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url))

/** Where and on what a bench ran; recorded with every result. */
export interface BenchMeta {
  readonly date: string
  readonly node: string
  readonly cpuModel: string
  readonly cores: number
  readonly commit: string
  readonly dirty: boolean
  readonly platform: string
  readonly maxOpenFiles: number
}

function git(args: string[]): string | undefined {
  try {
    return execFileSync('git', ['-C', PACKAGE_ROOT, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim()
  } catch {
    return undefined
  }
}

/**
 * The open-file limit the bench's processes can reach: they raise their
 * soft limit up to the hard one, which only a privileged user can lift.
 */
export function maxOpenFiles(): number {
  try {
    const limits = readFileSync('/proc/self/limits', 'utf8')
    const line = limits.split('\n').find((l) => l.startsWith('Max open files'))
    const hard = Number(line?.split(/\s{2,}/)[2])
    return Number.isFinite(hard) ? hard : 1024
  } catch {
    return 1024
  }
}

function cpuModel(): string {
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8')
    const line = info.split('\n').find((l) => l.startsWith('model name'))
    return line?.split(':')[1]?.trim() ?? 'unknown'
  } catch {
    return 'unknown'
  }
}

/** Collects the run's environment. */
export function collectMeta(): BenchMeta {
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpuModel: cpuModel(),
    cores: availableParallelism(),
    commit: git(['rev-parse', '--short=12', 'HEAD']) ?? 'unknown',
    dirty:
      (git(['status', '--porcelain', '--untracked-files=no']) ?? '') !== '',
    platform: `${process.platform} ${process.arch}`,
    maxOpenFiles: maxOpenFiles(),
  }
}
