export {
  CloseCode,
  ErrorCode,
  PortcullisError,
  PortcullisErrorCode,
} from '../codec/index.js'
export {
  type ClientOptions,
  PortcullisClient,
  type Welcome,
} from './client.js'
export { RemoteError } from './remote-error.js'
