/**
 * Distribution: how the site's items reach people besides plain HTTP. So far the site's WebRTC peer
 * (browsers and WebTorrent clients served by the seeding engine).
 */

export {
  type SeedsInfoHash,
  startWebRtcPeer,
  WebRtcPeer,
  type WebRtcPeerStart,
} from './webrtc-peer.js';
