export * from './codec/index.js'
export { ChatLobby, ChatRoute, chatLineRenderer } from './demo/chat-lobby.js'
export {
  Gateway,
  type GatewayAddresses,
  type GatewayEvents,
  type GatewayParts,
} from './gateway/gateway.js'
export { Group } from './gateway/group.js'
export { type Handler, HandlerContext } from './gateway/handler-context.js'
export {
  type GatewayOptions,
  type ResolvedOptions,
  resolveOptions,
} from './gateway/options.js'
export { RequestError } from './gateway/request-error.js'
export * from './session/index.js'
