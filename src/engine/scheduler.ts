/**
 * The engine-wide clock of its torrents: one timer for every session instead of one per session.
 *
 * Each second it ticks the *active* sessions only (downloading, with peers or peers to dial). A
 * session that says it is idle (`idleUntil` returns a time: a complete seed with no peer and nobody
 * to dial) leaves the active set and sleeps until that time (its next announce or DHT announce) in
 * a wheel of one-second slots; `Infinity` sleeps until woken. `wake` (a peer attached, an address
 * learnt) brings it back at once. So 10,000 idle seeds cost no work per second, and the ones whose
 * announce is due are ticked in the second it is due.
 *
 * No timer exists while the scheduler holds no session (nothing starts at import time).
 */

/** What the scheduler drives: a session's tick, and whether it is idle after it. */
export interface Scheduled {
  /** The once-a-second work of an active session. */
  tick(now: number): void;
  /** After a tick: undefined while active, else when to tick it next (ms; `Infinity`: when woken). */
  idleUntil(now: number): number | undefined;
}

export interface SchedulerOptions {
  /** Milliseconds between ticks (default 1000). */
  periodMs?: number;
  /** The clock (tests). */
  now?: () => number;
}

export class Scheduler {
  private readonly active = new Set<Scheduled>();
  /** Sleeping sessions by the slot (whole period) they wake in. */
  private readonly wheel = new Map<number, Set<Scheduled>>();
  private readonly slotOf = new Map<Scheduled, number>();
  /** Idle sessions with nothing due (woken only by `wake`). */
  private readonly forever = new Set<Scheduled>();
  private timer: NodeJS.Timeout | undefined;
  private lastSlot: number;
  private readonly periodMs: number;
  private readonly now: () => number;

  constructor(options: SchedulerOptions = {}) {
    this.periodMs = options.periodMs ?? 1000;
    this.now = options.now ?? Date.now;
    this.lastSlot = this.slot(this.now());
  }

  /** Sessions ticked each period now. */
  get activeCount(): number {
    return this.active.size;
  }

  /** Sessions asleep (idle) now. */
  get sleepingCount(): number {
    return this.slotOf.size + this.forever.size;
  }

  /** Start driving `s` (active until its first tick says otherwise). */
  add(s: Scheduled): void {
    this.active.add(s);
    this.startTimer();
  }

  /** Stop driving `s`. */
  remove(s: Scheduled): void {
    this.active.delete(s);
    this.unsleep(s);
    if (this.active.size === 0 && this.slotOf.size === 0 && this.forever.size === 0) this.stopTimer();
  }

  /** Make a sleeping `s` active again (no-op when active or not driven). */
  wake(s: Scheduled): void {
    if (this.unsleep(s)) this.active.add(s);
  }

  /** True when `s` is driven and sleeping. */
  isSleeping(s: Scheduled): boolean {
    return this.slotOf.has(s) || this.forever.has(s);
  }

  /** One period's work (the timer calls it; tests call it with their clock). */
  run(): void {
    const now = this.now();
    const slot = this.slot(now);
    for (let at = this.lastSlot + 1; at <= slot; at++) {
      const due = this.wheel.get(at);
      if (!due) continue;
      this.wheel.delete(at);
      for (const s of due) {
        this.slotOf.delete(s);
        this.active.add(s);
      }
    }
    this.lastSlot = Math.max(this.lastSlot, slot);
    for (const s of this.active) {
      s.tick(now);
      if (!this.active.has(s)) continue; // removed by its own tick (a failure)
      const until = s.idleUntil(now);
      if (until === undefined) continue;
      this.active.delete(s);
      this.sleep(s, until, slot);
    }
  }

  private sleep(s: Scheduled, until: number, current: number): void {
    if (!Number.isFinite(until)) {
      this.forever.add(s);
      return;
    }
    const at = Math.max(current + 1, this.slot(until));
    const set = this.wheel.get(at) ?? new Set<Scheduled>();
    this.wheel.set(at, set);
    set.add(s);
    this.slotOf.set(s, at);
  }

  /** Take `s` out of the sleepers; true when it was asleep. */
  private unsleep(s: Scheduled): boolean {
    if (this.forever.delete(s)) return true;
    const at = this.slotOf.get(s);
    if (at === undefined) return false;
    this.slotOf.delete(s);
    const set = this.wheel.get(at);
    set?.delete(s);
    if (set?.size === 0) this.wheel.delete(at);
    return true;
  }

  private slot(ms: number): number {
    return Math.floor(ms / this.periodMs);
  }

  private startTimer(): void {
    if (this.timer) return;
    this.lastSlot = this.slot(this.now());
    this.timer = setInterval(() => this.run(), this.periodMs);
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Stop the timer and forget every session. */
  close(): void {
    this.stopTimer();
    this.active.clear();
    this.wheel.clear();
    this.slotOf.clear();
    this.forever.clear();
  }
}
