/**
 * Seedcast's BitTorrent tracker: HTTP (BEP 3, 7, 23, 48), UDP (BEP 15, 41) and WebSocket (the
 * WebTorrent tracker protocol) edges, one transport-free announce/scrape service, and swarm stores
 * (memory, Redis). See docs/tracker.md.
 */

export { type AllowCheck, allowSet, loadAllowList, parseAllowList } from './allow-list.js';
export { type ConnectionIdOptions, ConnectionIds } from './connection-id.js';
export {
  WS_LIMITS,
  WsCluster,
  type WsClusterOptions,
  type WsEdgeOptions,
  type WsLimits,
  type WsLocalPeer,
  WsTrackerEdge,
} from './edges/index.js';
export { type TrackerPluginOptions, trackerPlugin } from './fastify-plugin.js';
export { createHttpTrackerServer } from './http-server.js';
export { rateLimited, silentLog, streamLog, type TrackerLog } from './log.js';
export { MemoryStore, type MemoryStoreOptions } from './memory-store.js';
export { nativeStatus } from './native-addon.js';
export { NativeStore, type NativeStoreOptions, nativeStoreSupport } from './native-store.js';
export { TrackerService, type TrackerServiceOptions } from './service.js';
export type { StoreLimits, SwarmStore } from './store.js';
export { createStore, type RunningTracker, startTracker, type TrackerOptions } from './tracker.js';
export type {
  AnnounceRequest,
  AnnounceResponse,
  ScrapeRequest,
  ScrapeResponse,
  TorrentStats,
} from './types.js';
export { BatchUdpSocket, serveUdpBatch, udpBatchSupport } from './udp-batch.js';
export { chooseUdpIo, listenUdpTracker, type UdpIo, type UdpListener } from './udp-listen.js';
export { type DatagramHandler, serveUdp, udpDatagramHandler } from './udp-server.js';
