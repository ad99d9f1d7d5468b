import { EventEmitter } from 'node:events'
import { type Stats, unwatchFile, watchFile } from 'node:fs'
import type { SecureContext, SecureContextOptions, Server } from 'node:tls'
import {
  PortcullisError,
  PortcullisErrorCode,
} from '../codec/portcullis-error.js'
import { type CertificateSummary, daysUntil } from './certificate-summary.js'
import {
  loadTlsCredentials,
  type TlsCredentials,
  type TlsSource,
} from './load-tls-credentials.js'

/** Options of {@link TlsContextStore.open}. */
export interface TlsContextStoreOptions {
  /** Reload when the files change. Default true. */
  readonly watch?: boolean
  /** How often the files are checked for changes, in ms. Default 2000. */
  readonly watchIntervalMs?: number
  /** Quiet time after a change before reloading, in ms. Default 500. */
  readonly reloadDebounceMs?: number
  /** Current time in ms since the epoch. Default `Date.now`. */
  readonly clock?: () => number
}

/** Outcome of {@link TlsContextStore.reload}. */
export type TlsReloadResult =
  | { readonly ok: true; readonly certificate: CertificateSummary }
  | { readonly ok: false; readonly error: PortcullisError }

/** Events of a {@link TlsContextStore}. */
export interface TlsContextStoreEvents {
  /** New handshakes now use this certificate. */
  reload: [certificate: CertificateSummary]
  /** A reload failed; the previous certificate stays in use. */
  reloadFailed: [error: PortcullisError]
}

/**
 * Holds the TLS context of a listener and swaps it when the files change or
 * {@link reload} is called. A failed load keeps the previous context. It
 * reports through results and events and never logs: the gateway does.
 * Failures go to `reloadFailed`, not `error`, so a bad file never throws
 * into the event loop when no one listens.
 */
export class TlsContextStore extends EventEmitter<TlsContextStoreEvents> {
  readonly #source: TlsSource
  readonly #clock: () => number
  readonly #servers = new Map<Server, () => void>()
  #credentials: TlsCredentials
  #queue: Promise<TlsReloadResult> | undefined
  #debounce: NodeJS.Timeout | undefined
  #debounceMs = 0
  #watched: readonly string[] = []
  #closed = false

  private constructor(
    source: TlsSource,
    credentials: TlsCredentials,
    clock: () => number,
  ) {
    super()
    this.#source = source
    this.#credentials = credentials
    this.#clock = clock
  }

  /**
   * Loads `source` and, unless `watch` is false, starts watching its files.
   * Throws TLS when the first load fails: there is nothing to fall back on.
   */
  static async open(
    source: TlsSource,
    options: TlsContextStoreOptions = {},
  ): Promise<TlsContextStore> {
    const watchIntervalMs = positive(
      options.watchIntervalMs ?? 2000,
      'watchIntervalMs',
    )
    const reloadDebounceMs = positive(
      options.reloadDebounceMs ?? 500,
      'reloadDebounceMs',
    )

    const credentials = await loadTlsCredentials(source)
    const store = new TlsContextStore(
      source,
      credentials,
      options.clock ?? Date.now,
    )
    if (options.watch !== false) {
      store.#watch(watchIntervalMs, reloadDebounceMs)
    }
    return store
  }

  /** The context new handshakes use. */
  get context(): SecureContext {
    return this.#credentials.context
  }

  /** Options of the current context, for `tls.createServer` and friends. */
  get contextOptions(): Readonly<SecureContextOptions> {
    return this.#credentials.contextOptions
  }

  /** The certificate new handshakes present. */
  get certificate(): CertificateSummary {
    return this.#credentials.certificate
  }

  /** Whole days until the current certificate expires; negative after. */
  daysUntilExpiry(): number {
    return daysUntil(this.#credentials.certificate.notAfter, this.#clock())
  }

  /**
   * Loads the files again and, if they load, switches new handshakes of all
   * attached servers to them. Open connections keep their session. Reloads
   * run one at a time; the result is also emitted as an event.
   */
  reload(): Promise<TlsReloadResult> {
    const previous = this.#queue ?? Promise.resolve(undefined)
    const next = previous.then(
      () => this.#load(),
      () => this.#load(),
    )
    this.#queue = next
    return next
  }

  /**
   * Makes `server` present the store's certificate to new handshakes from
   * now on and after every reload, until the server closes or the returned
   * function is called.
   */
  attach(server: Server): () => void {
    server.setSecureContext(this.contextOptions)
    const detach = (): void => {
      this.#servers.delete(server)
      server.off('close', detach)
    }
    this.#servers.get(server)?.()
    this.#servers.set(server, detach)
    server.once('close', detach)
    return detach
  }

  /** Stops watching the files and forgets attached servers. */
  close(): void {
    this.#closed = true
    for (const file of this.#watched) unwatchFile(file, this.#onChange)
    this.#watched = []
    clearTimeout(this.#debounce)
    this.#debounce = undefined
    for (const detach of [...this.#servers.values()]) detach()
  }

  async #load(): Promise<TlsReloadResult> {
    let credentials: TlsCredentials
    try {
      credentials = await loadTlsCredentials(this.#source)
    } catch (cause) {
      const error =
        cause instanceof PortcullisError
          ? cause
          : new PortcullisError(PortcullisErrorCode.TLS, String(cause), {
              cause,
            })
      this.emit('reloadFailed', error)
      return { ok: false, error }
    }

    this.#credentials = credentials
    for (const server of this.#servers.keys()) {
      server.setSecureContext(credentials.contextOptions)
    }
    this.emit('reload', credentials.certificate)
    return { ok: true, certificate: credentials.certificate }
  }

  #watch(intervalMs: number, debounceMs: number): void {
    this.#debounceMs = debounceMs
    this.#watched = this.#credentials.files
    for (const file of this.#watched) {
      watchFile(
        file,
        { interval: intervalMs, persistent: false },
        this.#onChange,
      )
    }
  }

  readonly #onChange = (current: Stats, previous: Stats): void => {
    if (current.mtimeMs === previous.mtimeMs && current.ino === previous.ino) {
      return
    }

    // One re-armed timer: a cert and key replaced one after the other make
    // one reload, not a failing one (new cert, old key) and then another.
    if (this.#debounce === undefined) {
      this.#debounce = setTimeout(() => {
        if (!this.#closed) void this.reload()
      }, this.#debounceMs)
      this.#debounce.unref()
    } else {
      this.#debounce.refresh()
    }
  }
}

function positive(value: number, option: string): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new PortcullisError(
      PortcullisErrorCode.INVALID_OPTION,
      `${option} must be a positive number of ms, got ${value}`,
    )
  }
  return value
}
