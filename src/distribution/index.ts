/**
 * Distribution: how an item's bytes reach people, and the honest count of it (issue 17): the site's
 * WebRTC peer (browsers and WebTorrent clients served by the seeding engine), and per-item traffic
 * by channel (plain HTTP to players and downloads, web seed, TCP and WebRTC peers, what browsers got
 * from other browsers), flushed to the site's database; and seeding every item (`seeding.ts`: the
 * tracker's allow-list and the engine's sessions over the blob store, with the web seed's deferral
 * rule and the derivatives torrents); fixity (issue 22: `fixity*.ts`, re-hashing stored items at a
 * bounded rate and repairing damaged pieces from the swarm);
 * with several site nodes (issue 22), the roster of live nodes in Redis and which node seeds
 * each item (`node-roster.ts`, `cluster.ts`).
 */

export { ClusterNode, type ClusterNodeOptions } from './cluster.js';
export {
  FIXITY_JOB,
  Fixity,
  type FixityOptions,
  type FixityRepairer,
  type FixitySettings,
  type FixityView,
} from './fixity.js';
export { type CheckOptions, type CheckResult, checkPieces } from './fixity-check.js';
export { type RepairItemOptions, repairItem } from './fixity-repair.js';
export {
  type FixityRecord,
  type FixityState,
  type FixityStore,
  type FixityTotals,
  SqlFixityStore,
} from './fixity-store.js';
export { fixityMetrics } from './fixity-view.js';
export { NodeRoster, type NodeRosterOptions, rendezvousOwner } from './node-roster.js';
export { type DamagedSource, Seeding, type SeedingOptions } from './seeding.js';
export { ipBytes, TrackerRegistration, type TrackerRegistrationOptions } from './seeding-tracker.js';
export {
  type ServedTorrentBytes,
  ServedTorrents,
  type ServedTorrentsOptions,
  servedTorrent,
} from './served-torrent.js';
export {
  bandwidthSaved,
  classifyHttp,
  isTorrentClient,
  type PeerTraffic,
  TRAFFIC_CHANNELS,
  Traffic,
  type TrafficChannel,
  type TrafficCounts,
  type TrafficOptions,
  type TrafficStore,
  type TrafficView,
  trafficView,
  zeroCounts,
} from './traffic.js';
export { SqlTrafficStore } from './traffic-store.js';
export { DEFERRAL_DEFAULTS } from './web-seed-deferral.js';
export {
  type SeedsInfoHash,
  startWebRtcPeer,
  WebRtcPeer,
  type WebRtcPeerStart,
} from './webrtc-peer.js';
