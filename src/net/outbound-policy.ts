/**
 * The outbound policy: the one rule for every address the site (or the aggregator) contacts on a
 * user's behalf — tracker URLs and web seeds inside user torrents, peers learnt through PEX or the
 * DHT, fetched feed and enclosure URLs. By default only public addresses may be contacted (see
 * `address-class.ts`); `allowPrivate` (`--allow-private-urls`, `SEEDCAST_ALLOW_PRIVATE_URLS=1`) lifts
 * that for loopback tests and LANs. Peers that announced to the site's own tracker from their own
 * address are not "a user's choice" and are dialled without asking the policy.
 *
 * Names are checked after resolution, at connection time: `lookup` is a drop-in for `dns.lookup`
 * handed to `http.request`, `net.connect` and `dgram.createSocket`, so a name that resolves (or
 * re-resolves, DNS rebinding) to a refused address never gets a packet. Literal addresses skip
 * `lookup` in Node, so callers check them with `allowsHost` first; `checkUrl` does both for a URL.
 */

import {
  lookup as dnsLookup,
  type LookupAddress,
  type LookupAllOptions,
  type LookupOneOptions,
} from 'node:dns';
import { isIP } from 'node:net';
import { SeedcastError } from '../errors.js';
import { addressRange } from './address-class.js';

export interface OutboundPolicyOptions {
  /** Allow loopback, private, link-local and other non-public addresses (default false). */
  allowPrivate?: boolean;
  /** Name resolution (default `dns.lookup`); tests pass a fake resolver. */
  resolve?: (host: string) => Promise<LookupAddress[]>;
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/** A `dns.lookup`-compatible function: what `http.request({ lookup })` and friends take. */
export type PolicyLookup = (
  hostname: string,
  options: LookupOneOptions | LookupAllOptions | number | undefined,
  callback: LookupCallback,
) => void;

function defaultResolve(host: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) => {
    dnsLookup(host, { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses)));
  });
}

function strip(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

export class OutboundPolicy {
  readonly allowPrivate: boolean;
  private readonly resolve: (host: string) => Promise<LookupAddress[]>;

  constructor(options: OutboundPolicyOptions = {}) {
    this.allowPrivate = options.allowPrivate === true;
    this.resolve = options.resolve ?? defaultResolve;
  }

  /** May an IP address be contacted? (Names: use `lookup` or `checkHost`.) */
  allowsAddress(ip: string): boolean {
    if (this.allowPrivate) return isIP(strip(ip)) !== 0 || strip(ip).includes('%');
    return addressRange(ip) === 'unicast';
  }

  /** Throws OUTBOUND_REFUSED unless the IP address may be contacted. */
  assertAddress(ip: string, what = 'address'): void {
    if (!this.allowsAddress(ip)) {
      throw new SeedcastError(
        'OUTBOUND_REFUSED',
        `${what} ${ip} is ${addressRange(ip)} (not a public address)`,
      );
    }
  }

  /** Resolves a host name (or takes a literal) and returns its addresses if every one is allowed. */
  async checkHost(host: string): Promise<string[]> {
    const bare = strip(host);
    if (isIP(bare) !== 0) {
      this.assertAddress(bare, host);
      return [bare];
    }
    if (bare === '' || bare.toLowerCase() === 'localhost' || bare.toLowerCase().endsWith('.localhost')) {
      if (!this.allowPrivate) throw new SeedcastError('OUTBOUND_REFUSED', `${host} is loopback`);
    }
    let found: LookupAddress[];
    try {
      found = await this.resolve(bare);
    } catch (err) {
      throw new SeedcastError('OUTBOUND_REFUSED', `cannot resolve ${host}: ${(err as Error).message}`);
    }
    if (found.length === 0) throw new SeedcastError('OUTBOUND_REFUSED', `${host} has no address`);
    for (const a of found) this.assertAddress(a.address, `${host} resolves to`);
    return found.map((a) => a.address);
  }

  /**
   * True when `host` is, or resolves to, an address this policy refuses (a feed on the user's own
   * network, say); false when every address is allowed or the name does not resolve.
   */
  async resolvesInside(host: string): Promise<boolean> {
    const bare = strip(host);
    if (isIP(bare) !== 0) return !this.allowsAddress(bare);
    const lower = bare.toLowerCase();
    if (lower === 'localhost' || lower.endsWith('.localhost')) return !this.allowPrivate;
    let found: LookupAddress[];
    try {
      found = await this.resolve(bare);
    } catch {
      return false;
    }
    return found.some((a) => !this.allowsAddress(a.address));
  }

  /** Throws OUTBOUND_REFUSED for a URL whose host is (or resolves to) a refused address. */
  async checkUrl(url: string | URL): Promise<URL> {
    let parsed: URL;
    try {
      parsed = typeof url === 'string' ? new URL(url) : url;
    } catch {
      throw new SeedcastError('OUTBOUND_REFUSED', `not a URL: ${String(url).slice(0, 200)}`);
    }
    await this.checkHost(parsed.hostname);
    return parsed;
  }

  /**
   * `dns.lookup` that fails with OUTBOUND_REFUSED when the name resolves to a refused address: give
   * it to `http.request`, `net.connect` or `dgram.createSocket` so the check happens at connect time.
   */
  readonly lookup: PolicyLookup = (hostname, options, callback) => {
    const all = typeof options === 'object' && options !== null && (options as LookupAllOptions).all === true;
    const raw = typeof options === 'number' ? options : (options?.family ?? 0);
    const family = raw === 'IPv4' ? 4 : raw === 'IPv6' ? 6 : Number(raw) || 0;
    this.checkHost(hostname).then(
      (addresses) => {
        const wanted = addresses
          .map((address) => ({ address, family: isIP(address) }))
          .filter((a) => family === 0 || a.family === family);
        const first = wanted[0];
        if (!first) {
          const err: NodeJS.ErrnoException = new Error(`${hostname}: no address of family ${family}`);
          err.code = 'ENOTFOUND';
          callback(err, '', 0);
        } else if (all) callback(null, wanted);
        else callback(null, first.address, first.family);
      },
      (err: Error) => callback(err as NodeJS.ErrnoException, '', 0),
    );
  };
}

/** The policy that allows everything: for the aggregator's own feed URLs and tests. */
export function allowAllPolicy(): OutboundPolicy {
  return new OutboundPolicy({ allowPrivate: true });
}
