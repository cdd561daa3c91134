/**
 * Which IP addresses are public: the classification behind the outbound policy. An address is
 * public when it is a unicast address routed on the internet; loopback, private (RFC 1918, RFC 4193
 * unique local), link-local, carrier-grade NAT (RFC 6598), multicast, broadcast, unspecified,
 * reserved and documentation ranges are not. IPv4-mapped, NAT64 (RFC 6052), 6to4 (RFC 3056) and
 * Teredo (RFC 4380) IPv6 addresses are judged by the IPv4 address they carry, so `::ffff:127.0.0.1`
 * is loopback. The ranges come from `ipaddr.js` (IANA special-purpose registries, RFC 6890).
 */

import { createRequire } from 'node:module';
import type IpAddr from 'ipaddr.js';

// Loaded with `require`: an ESM `import` of this CommonJS package runs Node's CJS export lexer over
// its 38 KB, hot enough to be optimised (about 50 ms of CPU at every start of the CLI).
const ipaddr = createRequire(import.meta.url)('ipaddr.js') as typeof IpAddr;

/** The `ipaddr.js` range name of an address (`unicast` for public ones), or `invalid`. */
export function addressRange(host: string): string {
  const text = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  // A zone index (`fe80::1%eth0`) only exists for link-local addresses.
  if (text.includes('%')) return 'linkLocal';
  if (!ipaddr.isValid(text)) return 'invalid';
  let address: IpAddr.IPv4 | IpAddr.IPv6;
  try {
    address = ipaddr.parse(text);
  } catch {
    return 'invalid';
  }
  // Only the four dotted decimal parts count as IPv4 (ipaddr.js also takes `0x7f.1`, `2130706433`).
  if (address.kind() === 'ipv4' && !/^\d{1,3}(\.\d{1,3}){3}$/.test(text)) return 'invalid';
  if (address instanceof ipaddr.IPv6) {
    const carried = embeddedIPv4(address);
    if (carried) return carried.range();
  }
  return address.range();
}

/** The IPv4 address an IPv6 address stands for (mapped, NAT64, 6to4, Teredo), if any. */
function embeddedIPv4(address: IpAddr.IPv6): IpAddr.IPv4 | undefined {
  const range = address.range();
  const bytes = address.toByteArray();
  if (range === 'ipv4Mapped' || range === 'rfc6052' || range === 'rfc6145') {
    return new ipaddr.IPv4(bytes.slice(12, 16));
  }
  if (range === '6to4') return new ipaddr.IPv4(bytes.slice(2, 6));
  if (range === 'teredo') return new ipaddr.IPv4(bytes.slice(12, 16).map((b) => b ^ 0xff));
  // `::127.0.0.1` (the deprecated IPv4-compatible form) and `::1` (range `loopback`) stay IPv6.
  return undefined;
}

/** True for an address that may be contacted under the default policy: public unicast only. */
export function isPublicAddress(host: string): boolean {
  return addressRange(host) === 'unicast';
}
