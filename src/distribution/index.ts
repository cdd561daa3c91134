/**
 * Distribution: how an item's bytes reach people, and the honest count of it (issue 17): per-item
 * traffic by channel (plain HTTP to players and downloads, web seed, TCP and WebRTC peers, what
 * browsers got from other browsers), flushed to the site's database; and the site's WebRTC peer
 * (browsers and WebTorrent clients served by the seeding engine).
 */

export {
  bandwidthSaved,
  classifyHttp,
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
export {
  type SeedsInfoHash,
  startWebRtcPeer,
  WebRtcPeer,
  type WebRtcPeerStart,
} from './webrtc-peer.js';
