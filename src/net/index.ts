/**
 * Network rules shared by the site, the engine and the aggregator: which addresses may be contacted
 * on a user's behalf (the outbound policy); and the BEP 15 codec the tracker's UDP edge and the
 * engine's tracker client share. Imports nothing of ours but the error registry.
 */

export { addressRange, isPublicAddress } from './address-class.js';
export { type OutboundFetchOptions, type OutboundFetchResult, outboundFetch } from './http-fetch.js';
export {
  allowAllPolicy,
  OutboundPolicy,
  type OutboundPolicyOptions,
  type PolicyLookup,
} from './outbound-policy.js';
export {
  ACTION_ANNOUNCE,
  ACTION_CONNECT,
  ACTION_ERROR,
  ACTION_SCRAPE,
  ANNOUNCE_LENGTH,
  decodeUdpAnswer,
  decodeUdpRequest,
  encodeAnnounce,
  encodeAnnounceRequest,
  encodeConnect,
  encodeConnectRequest,
  encodeError,
  encodeScrape,
  MAX_REQUEST_LENGTH,
  PROTOCOL_ID,
  UDP_EVENTS,
  type UdpAnnounceAnswer,
  type UdpAnnounceRequest,
  type UdpAnswer,
  type UdpClientAnnounce,
  type UdpEvent,
  type UdpRequest,
  type UdpScrapeAnswer,
  type UdpScratch,
  udpScratch,
} from './udp-tracker-codec.js';
