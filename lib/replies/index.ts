export { parseJszReply, parseRaftzReply, parseRoutezReply, MAX_PROBLEM_CHARS, MAX_PROBLEM_ISSUES } from './parse-reply.js';
export { parseServerTime, replyErrorSchema, serverInfoSchema } from './envelope.js';
export { jszDataSchema } from './jsz.js';
export { countsOwnLeaders } from './leader-counts.js';
export { routezDataSchema } from './routez.js';
export { META_GROUP_NAME, raftzDataSchema } from './raftz.js';
export type {
  ConsumerView,
  JszData,
  MetaClusterView,
  ParsedReply,
  PeerView,
  RaftGroupClusterView,
  RaftzData,
  RaftzMetaView,
  ReplyBody,
  ReplyError,
  RouteView,
  RoutezData,
  ServerInfo,
  StreamView,
} from './types.js';
