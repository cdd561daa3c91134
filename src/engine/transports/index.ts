/**
 * Transports of the peer wire protocol besides TCP: WebRTC data channels (the WebTorrent protocol),
 * with `@roamhq/wrtc` loaded lazily as an optional dependency.
 */

export {
  type DataChannelLike,
  DataChannelStream,
  type DataChannelStreamOptions,
} from './datachannel-stream.js';
export {
  type AnswerOptions,
  type PeerConnectionLike,
  type RtcConfig,
  type WebRtcAvailability,
  type WebRtcModule,
  type WebRtcOptions,
  type WebRtcRemote,
  WebRtcTransport,
  webRtcAvailability,
} from './webrtc.js';
