/**
 * The tracker's WebSocket edge (the WebTorrent tracker protocol): parser, relay registry, the edge
 * that serves upgraded connections, and the hook of the site's own WebRTC peer.
 */

export { WsCluster, type WsClusterOptions } from './ws-cluster.js';
export { type WsEdgeOptions, WsTrackerEdge } from './ws-edge.js';
export { WS_LIMITS, type WsLimits } from './ws-limits.js';
export type { WsLocalPeer } from './ws-local-peer.js';
export { parseWsMessage, WS_PARSE_LIMITS, type WsMessage } from './ws-parse.js';
export { WsSwarms } from './ws-swarms.js';
export { isWebSocketUpgrade, upgradeRequest } from './ws-upgrade.js';
