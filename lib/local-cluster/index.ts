export { startLocalCluster } from './local-cluster.js';
export { findNatsServer, NATS_SERVER_BIN_ENV } from './find-nats-server.js';
export {
  MetaLeaderTimeoutError,
  NatsServerMissingError,
  RouteMeshTimeoutError,
  ServerStartError,
  UnknownServerError,
} from './errors.js';
export {
  consumerLeaders,
  createReplicatedStreams,
  metaStepDown,
  streamLeaders,
  type ReplicatedStreamsOptions,
} from './jetstream-fixtures.js';
export { concentrateLeaders, type ConcentrateOptions } from './leader-concentration.js';
export { StepDownError } from '../jetstream/raft-groups.js';
export { jetStreamApiLevel, stepDownNamesLeader } from '../jetstream/api-level.js';
export { startTcpProxy, type ProxyDirection, type TcpProxy, type TcpProxyOptions, type TcpProxyState } from './tcp-proxy.js';
export { freePort, freePorts } from './free-port.js';
export type {
  ConnectOptions,
  Credentials,
  LocalCluster,
  LocalClusterOptions,
  LocalServer,
  RouteLink,
  ServerRoute,
  WaitForMetaLeaderOptions,
} from './types.js';
