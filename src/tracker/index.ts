/**
 * Seedcast's BitTorrent tracker: HTTP (BEP 3, 7, 23, 48), UDP (BEP 15, 41) and WebSocket (the
 * WebTorrent tracker protocol) edges, one transport-free announce/scrape service, and swarm stores
 * (memory, Redis). See docs/tracker.md.
 */

export { type TrackerPluginOptions, trackerPlugin } from './edges/http/fastify-plugin.js';
export { createHttpTrackerServer } from './edges/http/http-server.js';
export { type ConnectionIdOptions, ConnectionIds } from './edges/udp/connection-id.js';
export { BatchUdpSocket, serveUdpBatch, udpBatchSupport } from './edges/udp/udp-batch.js';
export { chooseUdpIo, listenUdpTracker, type UdpIo, type UdpListener } from './edges/udp/udp-listen.js';
export { type DatagramHandler, serveUdp, udpDatagramHandler } from './edges/udp/udp-server.js';
export {
  WS_LIMITS,
  WsCluster,
  type WsClusterOptions,
  type WsEdgeOptions,
  type WsLimits,
  type WsLocalPeer,
  WsTrackerEdge,
} from './edges/ws/index.js';
export { type AllowCheck, allowSet, loadAllowList, parseAllowList } from './service/allow-list.js';
export { rateLimited, silentLog, streamLog, type TrackerLog } from './service/log.js';
export { TrackerService, type TrackerServiceOptions } from './service/service.js';
export type {
  AnnounceRequest,
  AnnounceResponse,
  ScrapeRequest,
  ScrapeResponse,
  TorrentStats,
} from './service/types.js';
export { MemoryStore, type MemoryStoreOptions } from './stores/memory-store.js';
export { nativeStatus } from './stores/native-addon.js';
export { NativeStore, type NativeStoreOptions, nativeStoreSupport } from './stores/native-store.js';
export type { StoreLimits, SwarmStore } from './stores/store.js';
export { createStore, type RunningTracker, startTracker, type TrackerOptions } from './tracker.js';
