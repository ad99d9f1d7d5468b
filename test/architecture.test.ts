import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

// Which source folders each layer may import (imports point down).
const ALLOWED: Record<string, readonly string[]> = {
  codec: ['codec'],
  tls: ['tls', 'codec'],
  session: ['session', 'codec'],
  client: ['client', 'codec'],
  gateway: ['gateway', 'session', 'codec', 'tls'],
  demo: ['demo', 'gateway', 'session', 'codec'],
  cli: [
    'cli',
    'demo',
    'gateway',
    'session',
    'codec',
    'tls',
    'client',
    'bench-kit',
  ],
  'bench-kit': ['bench-kit', 'gateway', 'session', 'codec', 'client', 'tls'],
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return path.endsWith('.ts') ? [path] : []
  })
}

describe('layering', () => {
  const files = sourceFiles('src').filter((f) => f.split('/').length > 2)

  it('finds the source files', () => {
    expect(files.length).toBeGreaterThan(20)
  })

  it('imports only point down the layers', () => {
    const violations: string[] = []
    for (const file of files) {
      const layer = file.split('/')[1] as string
      const allowed = ALLOWED[layer]
      if (allowed === undefined) {
        violations.push(`${file}: folder src/${layer} has no layer rule`)
        continue
      }
      const text = readFileSync(file, 'utf8')
      for (const match of text.matchAll(/from '(\.[^']+)'/g)) {
        const path = relative('src', resolve(dirname(file), match[1] as string))
        const target = path.split('/')[0] as string
        if (!path.includes('/')) continue
        if (!allowed.includes(target)) {
          violations.push(`${file} imports src/${target}`)
        }
      }
    }
    expect(violations).toEqual([])
  })

  it('keeps codec free of sockets, timers and loggers', () => {
    for (const file of files.filter((f) => f.startsWith('src/codec/'))) {
      const text = readFileSync(file, 'utf8')
      expect(text, file).not.toMatch(/node:net|node:tls|node:http|pino/)
      expect(text, file).not.toMatch(/setTimeout|setInterval/)
    }
  })

  it('keeps console output in the CLI', () => {
    for (const file of files.filter((f) => !f.startsWith('src/cli/'))) {
      expect(readFileSync(file, 'utf8'), file).not.toMatch(/console\./)
    }
  })
})
