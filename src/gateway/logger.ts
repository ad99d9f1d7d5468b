import { type Logger, pino } from 'pino'

/** The gateway's logger: JSON lines on stdout, at `level`. */
export function createLogger(level: string): Logger {
  return pino({ name: 'portcullis', level })
}
