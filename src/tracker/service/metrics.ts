/**
 * The tracker's counters and their Prometheus text exposition (format 0.0.4): announces by
 * transport and event, scrapes, UDP connects, provisional announces (grace window), errors by transport and code, and the store's
 * gauges (swarms, seeders, leechers) read when the text is rendered.
 */

import type { StoreSize } from '../stores/store.js';
import type { AnnounceEvent, Transport } from './types.js';

const EVENTS: AnnounceEvent[] = ['none', 'started', 'completed', 'stopped'];
const TRANSPORTS: Transport[] = ['http', 'udp', 'ws'];
const TRANSPORT_BASE: Record<Transport, number> = { http: 0, udp: 4, ws: 8 };
const EVENT_INDEX: Record<AnnounceEvent, number> = { none: 0, started: 1, completed: 2, stopped: 3 };

export class TrackerMetrics {
  private readonly scrapes = new Map<string, number>();
  private readonly errors = new Map<string, number>();
  connects = 0;
  /** Announces to torrents tracked only for their grace window (`provisional.ts`). */
  provisionalAnnounces = 0;

  constructor() {
    for (const t of TRANSPORTS) this.scrapes.set(`transport="${t}"`, 0);
  }

  /** Announce counts: [transport http|udp|ws][event none|started|completed|stopped], kept in an array. */
  private readonly announceCounts = new Float64Array(12);

  /** Announces counted elsewhere (the native UDP fast path): each gives 4 counts, by event. */
  private readonly announceSources: { transport: Transport; counts: () => ArrayLike<number> }[] = [];

  /** Adds announces answered outside the service, by event (none, started, completed, stopped). */
  addAnnounceSource(transport: Transport, counts: () => ArrayLike<number>): void {
    this.announceSources.push({ transport, counts });
  }

  /** Announces answered by [transport http|udp|ws][event], these counters and every source's. */
  private announceTotals(): Float64Array {
    const totals = Float64Array.from(this.announceCounts);
    for (const s of this.announceSources) {
      const counts = s.counts();
      const base = TRANSPORT_BASE[s.transport];
      for (let e = 0; e < 4; e++) totals[base + e]! += counts[e] ?? 0;
    }
    return totals;
  }

  announce(transport: Transport, event: AnnounceEvent): void {
    this.announceCounts[TRANSPORT_BASE[transport] + EVENT_INDEX[event]]!++;
  }

  scrape(transport: Transport): void {
    const key = `transport="${transport}"`;
    this.scrapes.set(key, (this.scrapes.get(key) ?? 0) + 1);
  }

  error(transport: Transport, code: string): void {
    const key = `transport="${transport}",code="${code.replace(/[^A-Za-z0-9_]/g, '_')}"`;
    this.errors.set(key, (this.errors.get(key) ?? 0) + 1);
  }

  /** Total errors counted (all transports and codes). */
  errorCount(): number {
    let n = 0;
    for (const v of this.errors.values()) n += v;
    return n;
  }

  /** The Prometheus text for these counters and the store's size. */
  render(size: StoreSize): string {
    const lines: string[] = [];
    const announces = new Map<string, number>();
    const totals = this.announceTotals();
    TRANSPORTS.forEach((t) => {
      EVENTS.forEach((e, ei) => {
        announces.set(`transport="${t}",event="${e}"`, totals[TRANSPORT_BASE[t] + ei]!);
      });
    });
    counter(lines, 'seedcast_tracker_announces_total', 'Announces answered.', announces);
    counter(lines, 'seedcast_tracker_scrapes_total', 'Scrapes answered.', this.scrapes);
    counter(lines, 'seedcast_tracker_errors_total', 'Requests refused or malformed.', this.errors);
    lines.push('# HELP seedcast_tracker_udp_connects_total UDP connect requests answered.');
    lines.push('# TYPE seedcast_tracker_udp_connects_total counter');
    lines.push(`seedcast_tracker_udp_connects_total ${this.connects}`);
    lines.push(
      '# HELP seedcast_tracker_provisional_announces_total Announces to torrents not yet allowed, tracked for a grace window.',
    );
    lines.push('# TYPE seedcast_tracker_provisional_announces_total counter');
    lines.push(`seedcast_tracker_provisional_announces_total ${this.provisionalAnnounces}`);
    lines.push('# HELP seedcast_tracker_swarms Swarms tracked.');
    lines.push('# TYPE seedcast_tracker_swarms gauge');
    lines.push(`seedcast_tracker_swarms ${size.swarms}`);
    lines.push('# HELP seedcast_tracker_peers Peers tracked.');
    lines.push('# TYPE seedcast_tracker_peers gauge');
    lines.push(`seedcast_tracker_peers{state="seeder"} ${size.seeders}`);
    lines.push(`seedcast_tracker_peers{state="leecher"} ${size.leechers}`);
    return `${lines.join('\n')}\n`;
  }
}

function counter(lines: string[], name: string, help: string, values: Map<string, number>): void {
  lines.push(`# HELP ${name} ${help}`);
  lines.push(`# TYPE ${name} counter`);
  for (const [labels, v] of values) lines.push(`${name}{${labels}} ${v}`);
}
