import { defineConfig } from 'vitest/config'

// Two projects: "unit" files run in parallel; "serial" holds the
// timing-dependent tests over real sockets (test/adversarial), which run
// one file at a time after the unit project, so no CPU-heavy neighbour
// skews their deadlines.
const SERIAL = [
  'test/adversarial/**/*.test.ts',
  'test/**/*.serial.test.ts',
]

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 20_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: SERIAL,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'serial',
          include: SERIAL,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
})
