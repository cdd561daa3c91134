/**
 * Network rules shared by the site, the engine and the aggregator: which addresses may be contacted
 * on a user's behalf (the outbound policy). Imports nothing of ours but the error registry.
 */

export { addressRange, isPublicAddress } from './address-class.js';
export { type OutboundFetchOptions, type OutboundFetchResult, outboundFetch } from './http-fetch.js';
export {
  allowAllPolicy,
  OutboundPolicy,
  type OutboundPolicyOptions,
  type PolicyLookup,
} from './outbound-policy.js';
