import type { Logger } from 'pino'
import { PortcullisError, PortcullisErrorCode } from '../codec/index.js'
import {
  ensureSelfSigned,
  TlsContextStore,
  type TlsSource,
} from '../tls/index.js'
import type { ResolvedOptions } from './options.js'

const DAY_MS = 24 * 60 * 60 * 1000
const EXPIRY_WARNING_DAYS = 14

/**
 * Where the TLS listeners get their certificate, from options; undefined
 * when TLS is off. `--tls self-signed` makes (once) and reuses a CA and a
 * server certificate in the data directory.
 */
export async function resolveTlsSource(
  options: ResolvedOptions,
  logger: Logger,
): Promise<TlsSource | undefined> {
  if (options.tls === 'self-signed') {
    const made = await ensureSelfSigned(options.dataDir)
    logger.info(
      { dir: made.dir, created: made.created },
      made.created
        ? 'made a self-signed CA and server certificate'
        : 'using the self-signed certificate made earlier',
    )
    return made.source
  }
  if (options.tls !== undefined) return { dir: options.tls }
  if (options.tlsCert !== undefined || options.tlsKey !== undefined) {
    if (options.tlsCert === undefined || options.tlsKey === undefined) {
      throw new PortcullisError(
        PortcullisErrorCode.INVALID_OPTION,
        'tlsCert and tlsKey must be given together',
      )
    }
    return { certFile: options.tlsCert, keyFile: options.tlsKey }
  }
  if (options.tlsPfx !== undefined) {
    return { pfxFile: options.tlsPfx, passphrase: options.tlsPassphrase ?? '' }
  }
  return undefined
}

/**
 * Opens the certificate store and reports on it: reloads at info, failed
 * reloads at error (the old certificate stays), and a warning at start and
 * daily while the certificate expires within 14 days.
 */
export async function openTlsStore(
  source: TlsSource,
  logger: Logger,
): Promise<TlsContextStore> {
  const store = await TlsContextStore.open(source)
  store.on('reload', (certificate) =>
    logger.info(
      {
        fingerprint: certificate.fingerprint256,
        notAfter: certificate.notAfter,
      },
      'TLS certificate reloaded',
    ),
  )
  store.on('reloadFailed', (error) =>
    logger.error(
      { err: error.message },
      'TLS certificate reload failed; keeping the current one',
    ),
  )
  const checkExpiry = () => {
    const days = store.daysUntilExpiry()
    if (days < EXPIRY_WARNING_DAYS) {
      logger.warn(
        { daysLeft: Math.floor(days), notAfter: store.certificate.notAfter },
        'TLS certificate expires soon',
      )
    }
  }
  checkExpiry()
  const timer = setInterval(checkExpiry, DAY_MS)
  timer.unref()
  const close = store.close.bind(store)
  store.close = () => {
    clearInterval(timer)
    close()
  }
  return store
}
