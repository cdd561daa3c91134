/**
 * One rate limit per action, whichever route performs it (the page form or the API): a route calls
 * `limitAction(reply, { action, user })` once it knows who asks and before it does the work.
 *
 * - Successful actions (answers below 400) count against the account, when signed in, and against
 *   the client address (`request.ip`, which honours the trust-proxy setting); an address may do
 *   `addressFactor` times an account's budget of signed-in actions (people sharing one address),
 *   and exactly the budget of anonymous ones. An action in progress counts too, so a burst of
 *   parallel requests cannot overshoot.
 * - Refused attempts (4xx answers, requests cut short) count only against the address, per action,
 *   in a short window (`failures`): guessing or garbage from one address slows that address down for
 *   a minute and never locks the account of the person it targets.
 * - Admins are never limited. Refusals are HTTP_RATE_LIMITED (429) with `Retry-After` (and
 *   `Connection: close` when a large body would follow, so it is not read for nothing).
 *
 * IPv6 clients are counted by their /64 (one subscriber's allocation), IPv4-mapped addresses as IPv4.
 * Counters are a sliding window of timestamps per key (at most `max` kept) in a `RateLimitStore`:
 * this process's memory, or with several nodes Redis (`rate-limit-store.ts`), so a budget holds
 * across nodes. Actions in progress are counted per node. Nothing runs at import time; expired keys
 * are swept as requests come in.
 */

import type { FastifyInstance, FastifyReply } from 'fastify';
import ipaddr from 'ipaddr.js';
import type { User } from '../catalog/index.js';
import { SeedcastError } from '../errors.js';
import type { Action, RateLimit, SiteLimits } from './limits.js';
import { MemoryRateLimitStore, type RateLimitStore } from './rate-limit-store.js';

declare module 'fastify' {
  interface FastifyInstance {
    actionLimiter: ActionLimiter;
  }
}

const SWEEP_EVERY = 2_000;

/** How a client address is counted: IPv4 as is, IPv6 by its /64. */
export function addressKey(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip;
  const parsed = ipaddr.process(ip);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const parts = (parsed as ipaddr.IPv6).parts.slice(0, 4);
  return `${parts.map((p) => p.toString(16)).join(':')}::/64`;
}

/** Hit times per key within a window (a sliding log in `store`), and the actions in progress here. */
class SlidingLog {
  private readonly busy = new Map<string, number>();
  private ops = 0;

  constructor(
    private readonly store: RateLimitStore,
    /** Distinguishes this log's keys in a shared store. */
    private readonly kind: string,
  ) {}

  /** Milliseconds until one more is allowed under `rule` (0: allowed now), counting busy ones. */
  wait(key: string, rule: RateLimit, max: number, now: number): number {
    const list = this.store.hits(this.kind + key, now - rule.timeWindow);
    const used = list.length + (this.busy.get(key) ?? 0);
    if (used < max) return 0;
    // the oldest hit that must expire for a slot to free up (busy ones: retry shortly)
    const index = used - max;
    const at = list[index];
    return at === undefined ? 1000 : Math.max(1, at + rule.timeWindow - now);
  }

  start(key: string): void {
    this.busy.set(key, (this.busy.get(key) ?? 0) + 1);
  }

  finish(key: string): void {
    const n = (this.busy.get(key) ?? 1) - 1;
    if (n <= 0) this.busy.delete(key);
    else this.busy.set(key, n);
  }

  add(key: string, keep: number, now: number, windowMs: number): void {
    this.store.add(this.kind + key, now, keep, windowMs);
  }

  /** Drops keys with no hit within the longest window, now and then. */
  sweep(longest: number, now: number): void {
    if (++this.ops % SWEEP_EVERY !== 0) return;
    this.store.sweep(now - longest);
  }
}

const LABELS: Record<Action, string> = {
  registrations: 'registrations',
  logins: 'logins',
  tokens: 'new API tokens',
  uploads: 'uploads',
  'resumable-uploads': 'resumable uploads',
  comments: 'comments',
  reports: 'reports',
  favourites: 'favourites',
  'password-changes': 'password changes',
  'p2p-reports': 'P2P reports',
  captions: 'caption and chapter changes',
  collections: 'new collections',
  channels: 'new channels',
  'account-mails': 'password-reset and verification mails',
};

function span(ms: number): string {
  if (ms % 3_600_000 === 0) return ms === 3_600_000 ? 'hour' : `${ms / 3_600_000} hours`;
  if (ms % 60_000 === 0) return ms === 60_000 ? 'minute' : `${ms / 60_000} minutes`;
  return `${Math.ceil(ms / 1000)} s`;
}

export class ActionLimiter {
  private readonly successes: SlidingLog;
  private readonly failures: SlidingLog;
  private readonly longest: number;

  constructor(
    private readonly limits: Pick<SiteLimits, 'actions' | 'failures' | 'addressFactor'>,
    private readonly now: () => number = Date.now,
    /** Where the counts live: this process (default), or Redis shared by the site's nodes. */
    store: RateLimitStore = new MemoryRateLimitStore(),
  ) {
    this.successes = new SlidingLog(store, 's\0');
    this.failures = new SlidingLog(store, 'f\0');
    const windows = Object.values(limits.actions).map((r) => r?.timeWindow ?? 0);
    this.longest = Math.max(limits.failures.timeWindow, ...windows);
  }

  /**
   * Lets `action` go ahead for this request (HTTP_RATE_LIMITED with `Retry-After` when a budget is
   * spent), and counts it as a success or a failure once the response is over.
   */
  guard(reply: FastifyReply, options: { action: Action; user?: User | undefined }): void {
    const { action, user } = options;
    if (user?.role === 'admin') return;
    const now = this.now();
    const address = addressKey(reply.request.ip);
    const rule = this.limits.actions[action];
    const failKey = `${action}\0${address}`;
    const keys: { key: string; max: number; keep: number }[] = [];
    if (rule) {
      const factor = Math.max(1, this.limits.addressFactor);
      if (user) keys.push({ key: `${action}\0u${user.id}`, max: rule.max, keep: rule.max });
      const max = user ? rule.max * factor : rule.max;
      keys.push({ key: `${action}\0a${address}`, max, keep: rule.max * factor });
    }
    const failRule = this.limits.failures;
    let wait = this.failures.wait(failKey, failRule, failRule.max, now);
    let reason = `too many refused attempts from this address; at most ${failRule.max} a ${span(failRule.timeWindow)}`;
    for (const { key, max } of keys) {
      const w = this.successes.wait(key, rule!, max, now);
      if (w > wait) {
        wait = w;
        reason = `at most ${max} ${LABELS[action]} a ${span(rule!.timeWindow)}`;
      }
    }
    this.successes.sweep(this.longest, now);
    this.failures.sweep(this.longest, now);
    if (wait > 0) {
      const seconds = Math.max(1, Math.ceil(wait / 1000));
      reply.header('Retry-After', String(seconds));
      // a refused upload's body is not worth reading to the end: close once answered
      const headers = reply.request.headers;
      if (headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > 65_536)
        reply.header('Connection', 'close');
      throw new SeedcastError('HTTP_RATE_LIMITED', `${reason}; try again in ${seconds} s`);
    }
    for (const { key } of keys) this.successes.start(key);
    let finished = false;
    reply.raw.once('finish', () => {
      finished = true;
    });
    reply.raw.once('close', () => {
      for (const { key } of keys) this.successes.finish(key);
      const status = reply.raw.statusCode;
      const at = this.now();
      if (finished && status < 400) {
        for (const { key, keep } of keys) this.successes.add(key, keep, at, rule!.timeWindow);
      } else if (status < 500 || !finished) {
        this.failures.add(failKey, failRule.max, at, failRule.timeWindow);
      }
    });
  }
}

/** Lets `action` go ahead for this request or throws HTTP_RATE_LIMITED (see `ActionLimiter.guard`). */
export function limitAction(reply: FastifyReply, options: { action: Action; user?: User | undefined }): void {
  reply.server.actionLimiter.guard(reply, options);
}

/** Makes `limiter` the one every route of `app` (and its plugins) uses. */
export function installActionLimiter(app: FastifyInstance, limiter: ActionLimiter): void {
  app.decorate('actionLimiter', limiter);
}
