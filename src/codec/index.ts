export {
  CloseCode,
  closeReason,
  isCloseCode,
  isSendableCloseCode,
} from './close-codes.js'
export {
  type Envelope,
  type EnvelopeOf,
  envelope,
  type HelloInfo,
  MAX_REQUEST_ID,
  PROTOCOL_VERSION,
  parseEnvelope,
  type ResponseError,
  type ResumeOutcome,
  type ResumeTicket,
} from './envelope.js'
export { ErrorCode } from './error-codes.js'
export { FRAME_HEADER_BYTES, FrameDecoder } from './frame-decoder.js'
export { encodeFrame, encodeFrames, frameHeader } from './frame-encoder.js'
export { JSON_FIRST_BYTE, JsonSerializer } from './json-serializer.js'
export { Kind, kindName } from './kinds.js'
export { LineDecoder } from './line-decoder.js'
export { MsgpackSerializer } from './msgpack-serializer.js'
export {
  PortcullisError,
  PortcullisErrorCode,
  type PortcullisErrorDetails,
} from './portcullis-error.js'
export { sanitizeText } from './sanitize-text.js'
export type { Serializer } from './serializer.js'
export { SerializerName } from './serializer.js'
export {
  defaultLineRenderer,
  type LineRenderer,
  TextSerializer,
} from './text-serializer.js'
