// The server API of Portcullis. What is not exported here is internal and
// may change between versions; clients import `portcullis/client`.

export {
  CloseCode,
  closeReason,
  defaultLineRenderer,
  ErrorCode,
  type HelloInfo,
  Kind,
  type LineRenderer,
  PortcullisError,
  PortcullisErrorCode,
  PROTOCOL_VERSION,
  type ResumeOutcome,
  SerializerName,
  sanitizeText,
} from './codec/index.js'
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
  envName,
  flagName,
  type GatewayOptions,
  optionsFromEnv,
  type ResolvedOptions,
  resolveOptions,
} from './gateway/options.js'
export { RequestError } from './gateway/request-error.js'
export {
  type AuthHook,
  type AuthRequest,
  type AuthResult,
  allowAnonymous,
  type Clock,
  type CloseInfo,
  type CloseOptions,
  LocalSessionRegistry,
  ManualClock,
  type Session,
  type SessionRegistry,
  SessionState,
  systemClock,
  TransportName,
} from './session/index.js'
export {
  type CertificateSummary,
  ensureSelfSigned,
  inspectCertificateFile,
  writeCertificateFiles,
} from './tls/index.js'
