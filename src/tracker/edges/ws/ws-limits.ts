/**
 * The WebSocket tracker edge's bounds (the WebTorrent tracker protocol; see `ws-edge.ts`): frame
 * size, offers and SDP size (`ws-parse.ts`), swarm sizes (`ws-swarms.ts`), message rate, idle time
 * and connection counts. The defaults suit the public internet.
 */

import { WS_PARSE_LIMITS, type WsParseLimits } from './ws-parse.js';
import { WS_SWARM_LIMITS, type WsSwarmLimits } from './ws-swarms.js';

export interface WsLimits extends WsParseLimits, WsSwarmLimits {
  /** Largest frame (bytes); larger ones close the socket (1009). */
  maxPayload: number;
  /** Messages a socket may send per second, on average. */
  messagesPerSecond: number;
  /** Messages a socket may send at once before the average applies. */
  burst: number;
  /** Seconds without a message before the socket is closed and its peers forgotten. */
  idleSeconds: number;
  maxConnections: number;
  maxPerAddress: number;
  /** Bytes queued for a socket beyond which frames to it are dropped. */
  maxBuffered: number;
  /** Offers handed to the local peer and not yet answered. */
  maxLocalPending: number;
}

export const WS_LIMITS: Readonly<WsLimits> = {
  ...WS_PARSE_LIMITS,
  ...WS_SWARM_LIMITS,
  maxPayload: 64 * 1024,
  messagesPerSecond: 20,
  burst: 60,
  idleSeconds: 300,
  maxConnections: 16_384,
  maxPerAddress: 64,
  maxBuffered: 1024 * 1024,
  maxLocalPending: 32,
};
