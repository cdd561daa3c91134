/**
 * Announcing to a torrent's trackers by BEP 12 tiers: within a tier the trackers are shuffled once
 * and tried in order until one answers, and the one that answered moves to the front of its tier.
 * Like libtorrent's `announce_to_all_tiers`, every tier is announced to, in parallel, so one dead
 * tier never hides the others' peers.
 *
 * Under an outbound policy (`restrict`), a tracker that is not trusted is announced to only at an
 * allowed address (checked at connect time, on every HTTP redirect, and for UDP before sending), and
 * each result says whether its tracker was trusted, so the session knows whose peers to check.
 */

import type { OutboundPolicy } from '../net/index.js';
import { type AnnounceEvent, type AnnounceParams, type AnnounceResult, announce } from './announce.js';

export type AnnounceFunction = typeof announce;

export interface TierResult {
  tracker: string;
  result?: AnnounceResult;
  error?: Error;
  /** True when the tracker is trusted (or no policy applies): its peers may be dialled as they are. */
  trusted: boolean;
}

export class TrackerTiers {
  private tiers: string[][];
  private policy: OutboundPolicy | undefined;
  private trusted: (url: string) => boolean = () => false;

  constructor(
    tiers: readonly (readonly string[])[],
    private readonly send: AnnounceFunction = announce,
  ) {
    this.tiers = tiers
      .map((tier) => shuffle(tier.filter((url) => /^(https?|udp):\/\//i.test(url))))
      .filter((tier) => tier.length > 0);
  }

  get empty(): boolean {
    return this.tiers.length === 0;
  }

  /** Never announce to the trackers `skip` names (the caller registers the swarm there itself). */
  exclude(skip: (url: string) => boolean): void {
    this.tiers = this.tiers.map((tier) => tier.filter((url) => !skip(url))).filter((tier) => tier.length > 0);
  }

  /** Announce to untrusted trackers only under `policy`; `trusted` names the operator's own. */
  restrict(policy: OutboundPolicy, trusted: (url: string) => boolean = () => false): void {
    this.policy = policy;
    this.trusted = trusted;
  }

  /** True when `url` may be contacted without the policy. */
  isTrusted(url: string): boolean {
    return this.policy === undefined || this.trusted(url);
  }

  /** Announce to every tier; resolves with one entry per tier (a result or the last error). */
  async announce(
    params: Omit<AnnounceParams, 'event'>,
    event?: AnnounceEvent,
    options: { timeoutMs?: number } = {},
  ): Promise<TierResult[]> {
    return Promise.all(
      this.tiers.map(async (tier) => {
        let last: TierResult = { tracker: tier[0]!, trusted: this.isTrusted(tier[0]!) };
        for (let i = 0; i < tier.length; i++) {
          const url = tier[i]!;
          const trusted = this.isTrusted(url);
          try {
            const result = await this.send(
              url,
              { ...params, event },
              {
                timeoutMs: options.timeoutMs ?? 15_000,
                ...(trusted || !this.policy ? {} : { policy: this.policy }),
              },
            );
            tier.splice(i, 1);
            tier.unshift(url);
            return { tracker: url, result, trusted };
          } catch (err) {
            last = { tracker: url, error: err as Error, trusted };
          }
        }
        return last;
      }),
    );
  }
}

function shuffle<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
