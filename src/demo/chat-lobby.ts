import {
  defaultLineRenderer,
  type LineRenderer,
  sanitizeText,
} from '../codec/index.js'
import type { Gateway } from '../gateway/gateway.js'
import type { HandlerContext } from '../gateway/handler-context.js'
import { RequestError } from '../gateway/request-error.js'
import { type Session, TransportName } from '../session/index.js'

/** Routes of the chat lobby, for clients. */
export const ChatRoute = {
  JOIN: 'chat.join',
  SAY: 'chat.say',
  WHO: 'chat.who',
  LEAVE: 'chat.leave',
  MESSAGE: 'chat.message',
  JOINED: 'chat.joined',
  LEFT: 'chat.left',
  SYSTEM: 'chat.system',
} as const

const MAX_NAME_CHARS = 24
const MAX_TEXT_CHARS = 500
const NAME_KEY = 'chat.name'
const NAME_PATTERN = /^[\p{L}\p{N}_-]+$/u

/** How chat pushes look to telnet players. */
export const chatLineRenderer: LineRenderer = (route, payload) => {
  const value = (payload ?? {}) as {
    from?: unknown
    name?: unknown
    text?: unknown
  }
  switch (route) {
    case ChatRoute.MESSAGE:
      return `<${String(value.from)}> ${String(value.text)}`
    case ChatRoute.JOINED:
      return `*** ${String(value.name)} has joined`
    case ChatRoute.LEFT:
      return `*** ${String(value.name)} has left`
    case ChatRoute.SYSTEM:
      return String(value.text)
    default:
      return defaultLineRenderer(route, payload)
  }
}

/**
 * The demo game: one chat room shared by telnet, TCP and WebSocket
 * players. Telnet players are asked for a name; binary clients send
 * `chat.join`. Names are unique across transports.
 */
export class ChatLobby {
  readonly #gateway: Gateway
  readonly #names = new Map<string, Session>()

  constructor(gateway: Gateway) {
    this.#gateway = gateway
    gateway.route(ChatRoute.JOIN, (context) => this.#join(context))
    gateway.route(ChatRoute.SAY, (context) => this.#say(context))
    gateway.route(ChatRoute.WHO, () => ({ players: this.players() }))
    gateway.route(ChatRoute.LEAVE, (context) => {
      this.#leave(context.session)
      return { left: true }
    })
    gateway.route(gateway.options.lineRoute, (context) => this.#line(context))
    gateway.on('session', (session, resumed) => {
      if (!resumed && session.transport?.name === TransportName.LINE) {
        this.#system(session, 'Welcome to the Portcullis lobby.')
        this.#system(session, 'What is your name?')
      }
    })
    gateway.on('sessionClosed', (session) => this.#leave(session))
  }

  /** Names of everyone in the room, in joining order. */
  players(): string[] {
    return [...this.#room().members()].map((s) => String(s.data.get(NAME_KEY)))
  }

  #room() {
    return this.#gateway.group('lobby')
  }

  /** Checks a name; returns the cleaned name or a reason it is refused. */
  #claim(session: Session, raw: unknown): string | RequestError {
    // NFKC folds look-alikes such as full-width letters into plain ones, so
    // "ｚｅｄ" cannot pose as "zed".
    const name =
      typeof raw === 'string' ? sanitizeText(raw).normalize('NFKC').trim() : ''
    if (
      name.length === 0 ||
      name.length > MAX_NAME_CHARS ||
      !NAME_PATTERN.test(name)
    ) {
      return new RequestError(
        'invalid_name',
        `A name is 1-${MAX_NAME_CHARS} letters, digits, _ or -`,
      )
    }
    if (session.data.has(NAME_KEY)) {
      return new RequestError('already_joined', 'You have a name already')
    }
    const key = name.toLowerCase()
    if (this.#names.has(key)) {
      return new RequestError('name_taken', `The name ${name} is taken`)
    }
    this.#names.set(key, session)
    session.data.set(NAME_KEY, name)
    return name
  }

  #enter(session: Session, name: string): void {
    const room = this.#room()
    room.broadcast(ChatRoute.JOINED, { name })
    room.add(session)
  }

  #join(context: HandlerContext): unknown {
    const payload = (context.payload ?? {}) as { name?: unknown }
    const name = this.#claim(context.session, payload.name)
    if (name instanceof RequestError) throw name
    this.#enter(context.session, name)
    return { name, players: this.players() }
  }

  #say(context: HandlerContext): void {
    const name = context.session.data.get(NAME_KEY)
    if (typeof name !== 'string') return
    const payload = (context.payload ?? {}) as { text?: unknown }
    this.#relay(context.session, name, payload.text)
  }

  #relay(session: Session, from: string, raw: unknown): void {
    if (typeof raw !== 'string') return
    const oneLine = raw.replace(/[\r\n]+/g, ' ')
    const text = sanitizeText(oneLine).trim().slice(0, MAX_TEXT_CHARS)
    if (text.length === 0) return
    this.#room().broadcast(ChatRoute.MESSAGE, { from, text }, session)
  }

  #line(context: HandlerContext): void {
    const session = context.session
    const line = String(context.payload)
    const name = session.data.get(NAME_KEY)
    if (typeof name !== 'string') {
      const claimed = this.#claim(session, line)
      if (claimed instanceof RequestError) {
        this.#system(session, `${claimed.message}. What is your name?`)
        return
      }
      this.#enter(session, claimed)
      const others = this.players().filter((p) => p !== claimed)
      const online = others.length > 0 ? others.join(', ') : 'nobody else yet'
      this.#system(session, `Welcome, ${claimed}! Online: ${online}.`)
      this.#system(
        session,
        'Type to chat, /who to list players, /quit to leave.',
      )
      return
    }
    const command = line.trim()
    if (command === '/who') {
      this.#system(session, `Online: ${this.players().join(', ')}`)
    } else if (command === '/quit') {
      session.close(1000, 'goodbye')
    } else {
      this.#relay(session, name, line)
    }
  }

  #leave(session: Session): void {
    const name = session.data.get(NAME_KEY)
    if (typeof name !== 'string') return
    session.data.delete(NAME_KEY)
    this.#names.delete(name.toLowerCase())
    const room = this.#room()
    room.remove(session)
    room.broadcast(ChatRoute.LEFT, { name })
  }

  #system(session: Session, text: string): void {
    session.push(ChatRoute.SYSTEM, { text })
  }
}
