/**
 * Failed logins per remote address for an app exposed with `--listen`: at most `max` wrong passwords
 * in a sliding `windowMs` (10 a minute by default), then `HTTP_RATE_LIMITED` (429) with the seconds
 * to wait, until the oldest failure leaves the window. A right password clears the address's count.
 */

import { SeedcastError } from '../../errors.js';

export interface LoginLimiter {
  /** Throws HTTP_RATE_LIMITED (with `retryAfter` seconds) when `address` failed too often lately. */
  check(address: string, now?: number): void;
  failed(address: string, now?: number): void;
  succeeded(address: string): void;
}

export function createLoginLimiter(options: { max?: number; windowMs?: number } = {}): LoginLimiter {
  const max = options.max ?? 10;
  const windowMs = options.windowMs ?? 60_000;
  const failures = new Map<string, number[]>();
  const recent = (address: string, now: number): number[] => {
    const list = (failures.get(address) ?? []).filter((at) => now - at < windowMs);
    if (list.length > 0) failures.set(address, list);
    else failures.delete(address);
    return list;
  };
  return {
    check(address, now = Date.now()) {
      const list = recent(address, now);
      if (list.length < max) return;
      const retryAfter = Math.max(1, Math.ceil((list[0]! + windowMs - now) / 1000));
      throw Object.assign(
        new SeedcastError('HTTP_RATE_LIMITED', `too many wrong passwords; try again in ${retryAfter} s`),
        { retryAfter },
      );
    },
    failed(address, now = Date.now()) {
      const list = recent(address, now);
      list.push(now);
      failures.set(address, list);
      // Bounded memory under a spray from many addresses: drop the oldest address.
      if (failures.size > 10_000) failures.delete(failures.keys().next().value!);
    },
    succeeded(address) {
      failures.delete(address);
    },
  };
}
