import { performance } from 'node:perf_hooks'
import type { Logger } from 'pino'
import { ErrorCode, envelope } from '../codec/index.js'
import type { Clock, Session } from '../session/index.js'
import { type Handler, HandlerContext } from './handler-context.js'
import type { LatencySeries } from './latency-histogram.js'
import type { GatewayMetrics } from './metrics.js'
import { RequestError } from './request-error.js'

/** A route's handler and its latency series. */
interface Route {
  readonly handler: Handler
  readonly latency: LatencySeries
}

/** A request whose handler returned a promise. */
interface InFlight {
  readonly session: Session
  readonly id: number
  readonly context: HandlerContext
  readonly route: Route
  readonly deadlineAtMs: number
  readonly startedAt: number
}

const MAX_LOGGED_CHARS = 200

/**
 * Runs handlers for REQUEST and NOTIFY: routing, the rate budget, timing,
 * timeouts and isolation. Whatever a handler does (throw, reject, never
 * settle), the client gets one answer and the process carries on.
 */
export class Dispatcher {
  readonly #routes = new Map<string, Route>()
  readonly #inFlight = new Set<InFlight>()
  readonly #handlerTimeoutMs: number
  readonly #clock: Clock
  readonly #metrics: GatewayMetrics
  readonly #logger: Logger

  constructor(
    handlerTimeoutMs: number,
    clock: Clock,
    metrics: GatewayMetrics,
    logger: Logger,
  ) {
    this.#handlerTimeoutMs = handlerTimeoutMs
    this.#clock = clock
    this.#metrics = metrics
    this.#logger = logger
  }

  /** Requests whose handlers are still running. */
  get inFlight(): number {
    return this.#inFlight.size
  }

  /** Registers the handler of `route`, replacing any earlier one. */
  route(route: string, handler: Handler): void {
    const latency = this.#metrics.handlerSeconds.series(route)
    this.#routes.set(route, { handler, latency })
  }

  /** Handles one REQUEST. */
  request(session: Session, id: number, route: string, payload: unknown): void {
    // Budget first: a re-sent request answered from memory costs the same
    // as any other, so re-sending one id cannot amplify traffic.
    if (!session.takeBudget(this.#clock.now())) {
      this.#metrics.dropped.inc({ what: 'request' })
      this.#answerError(session, id, ErrorCode.RATE_LIMITED, 'over budget')
      return
    }
    const remembered = session.rememberedResponse(id)
    if (remembered !== undefined) {
      session.send(remembered)
      return
    }
    const entry = this.#routes.get(route)
    if (entry === undefined) {
      this.#metrics.dropped.inc({ what: 'unknown_route' })
      const message = `no handler for route ${route.slice(0, 64)}`
      this.#answerError(session, id, ErrorCode.UNKNOWN_ROUTE, message)
      return
    }
    if (session.isRunning(id)) return

    const context = new HandlerContext(session, route, payload, id)
    const startedAt = performance.now()
    let result: unknown
    let pending: boolean
    try {
      result = entry.handler(context)
      pending = isThenable(result)
    } catch (error) {
      // `throw undefined` is still a failure, not an empty success.
      const failure = error ?? new Error(`handler threw ${error}`)
      this.#observe(entry, startedAt)
      session.answer(id, this.#responseBody(context, undefined, failure))
      return
    }
    if (!pending) {
      // Answered at once: no pending bookkeeping, no timer.
      this.#observe(entry, startedAt)
      session.answer(id, this.#responseBody(context, result, undefined))
      return
    }
    session.requestStarted(id)
    const inFlight: InFlight = {
      session,
      id,
      context,
      route: entry,
      startedAt,
      deadlineAtMs: this.#clock.now() + this.#handlerTimeoutMs,
    }
    this.#inFlight.add(inFlight)
    // Promise.resolve adopts the thenable in a job of its own, so a `then`
    // that throws becomes a rejection instead of an exception here.
    Promise.resolve(result).then(
      (value) => this.#settle(inFlight, value, undefined),
      (error: unknown) =>
        this.#settle(inFlight, undefined, error ?? 'rejected'),
    )
  }

  /** Handles one NOTIFY: no answer, errors only logged and counted. */
  notify(session: Session, route: string, payload: unknown): void {
    if (!session.takeBudget(this.#clock.now())) {
      this.#metrics.dropped.inc({ what: 'notify' })
      return
    }
    const entry = this.#routes.get(route)
    if (entry === undefined) {
      this.#metrics.dropped.inc({ what: 'unknown_route' })
      this.#logger.debug(
        { sessionId: session.id, route: route.slice(0, 64) },
        'notify for unknown route dropped',
      )
      return
    }
    const context = new HandlerContext(session, route, payload, undefined)
    try {
      const result = entry.handler(context)
      if (isThenable(result)) {
        Promise.resolve(result).then(undefined, (error: unknown) =>
          this.#logHandlerError(context, error),
        )
      }
    } catch (error) {
      this.#logHandlerError(context, error)
    }
  }

  /** Answers every request past its deadline with `handler_timeout`. */
  sweep(nowMs: number): void {
    for (const entry of this.#inFlight) {
      if (nowMs < entry.deadlineAtMs) continue
      this.#inFlight.delete(entry)
      this.#metrics.handlerFailures.inc({ outcome: 'timeout' })
      entry.context.abort(new Error('handler timed out'))
      this.#observe(entry.route, entry.startedAt)
      const body = this.#errorBody(
        entry.session,
        entry.id,
        ErrorCode.HANDLER_TIMEOUT,
        `no answer within handlerTimeoutMs (${this.#handlerTimeoutMs})`,
      )
      entry.session.requestFinished(entry.id, body)
    }
  }

  /** Fires the signal of every running handler (shutdown). */
  abortAll(reason: Error): void {
    for (const entry of this.#inFlight) entry.context.abort(reason)
  }

  #settle(entry: InFlight, value: unknown, error: unknown): void {
    if (!this.#inFlight.delete(entry)) return
    this.#observe(entry.route, entry.startedAt)
    const body = this.#responseBody(entry.context, value, error)
    entry.session.requestFinished(entry.id, body)
  }

  /** The RESPONSE for what a handler returned or threw. */
  #responseBody(
    context: HandlerContext,
    value: unknown,
    error: unknown,
  ): Buffer {
    const session = context.session
    const id = context.requestId as number
    if (error === undefined) {
      try {
        return session.serializer.encode(envelope.response(id, value))
      } catch (encodeError) {
        this.#logHandlerError(context, encodeError)
        const message = 'the handler returned a value that cannot be encoded'
        return this.#errorBody(session, id, ErrorCode.HANDLER_ERROR, message)
      }
    }
    if (error instanceof RequestError) {
      return this.#errorBody(session, id, error.code, error.message)
    }
    this.#logHandlerError(context, error)
    const message = 'the handler failed'
    return this.#errorBody(session, id, ErrorCode.HANDLER_ERROR, message)
  }

  #observe(route: Route, startedAt: number): void {
    const seconds = (performance.now() - startedAt) / 1000
    this.#metrics.handlerSeconds.observe(route.latency, seconds)
  }

  #answerError(session: Session, id: number, code: string, message: string) {
    session.send(this.#errorBody(session, id, code, message))
  }

  #errorBody(session: Session, id: number, code: string, message: string) {
    return session.serializer.encode(
      envelope.errorResponse(id, { code, message }),
    )
  }

  #logHandlerError(context: HandlerContext, error: unknown): void {
    this.#metrics.handlerFailures.inc({ outcome: 'error' })
    this.#logger.error(
      {
        sessionId: context.session.id,
        route: context.route.slice(0, 64),
        requestId: context.requestId,
        err: describeError(error).slice(0, MAX_LOGGED_CHARS * 5),
      },
      'handler failed',
    )
  }
}

/**
 * Text for whatever a handler threw. A thrown value may have no prototype
 * or a throwing `toString`; describing it must not throw in turn.
 */
function describeError(error: unknown): string {
  try {
    if (error instanceof Error) return error.stack ?? error.message
    return String(error)
  } catch {
    return Object.prototype.toString.call(error)
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}
