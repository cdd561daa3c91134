/**
 * One node of a site served by several `seedcast serve` processes (issue 22, docs/scale-out.md):
 * what keeps this node's seeding and tracker in step with the others, over the shared database.
 *
 * - The roster renews this node's heartbeat every third of its TTL (`node-roster.ts`); as often,
 *   the node checks: when the live nodes changed, or the catalog did (`ItemRepository.lastChange`: an
 *   item published, taken down or deleted on any node), `Seeding.rebalance` re-reads the allow-list
 *   and seeds exactly the items this node owns, and their derivatives torrents (`DerivedSeeding`).
 *   A full pass also runs every ten minutes.
 * - The tracker's allow check (`allow`): an announce for an info hash this node does not know yet
 *   asks the database, so an item published on another node is tracked here from its first announce
 *   (BEP 3, BEP 15 and the WebSocket tracker alike) without waiting for a heartbeat. Answers for
 *   unknown hashes are kept 2 s and concurrent questions share one query.
 */

import type { ItemRepository } from '../catalog/index.js';
import type { AllowCheck } from '../tracker/index.js';
import type { NodeRoster } from './node-roster.js';
import type { Seeding } from './seeding.js';

export interface ClusterNodeOptions {
  roster: NodeRoster;
  seeding: Seeding;
  items: ItemRepository;
  /** Heartbeat period (default a third of the roster's TTL). */
  heartbeatMs: number;
  log?: (message: string) => void;
}

const FULL_PASS_MS = 600_000;
const NEGATIVE_MS = 2_000;
const MAX_REMEMBERED = 10_000;

export class ClusterNode {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private lastChange = '';
  private lastFull = 0;
  private failing = false;
  /** The roster's `version` the last rebalance applied. */
  private applied = 0;
  /** Unknown hashes (hex) the database did not hold either, until when; and lookups under way. */
  private readonly unknown = new Map<string, number>();
  private readonly asking = new Map<string, Promise<boolean>>();

  constructor(private readonly options: ClusterNodeOptions) {}

  /** Notes the catalog as it is before `Seeding.start`: the heartbeats rebalance on changes after it. */
  async prime(): Promise<void> {
    const change = await this.options.items.lastChange();
    this.lastChange = `${change.updatedAt}:${change.count}`;
    this.lastFull = Date.now();
    this.applied = this.options.roster.version;
  }

  /** Starts the heartbeats. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.options.heartbeatMs);
    this.timer.unref();
  }

  /** One heartbeat: rebalance when the live nodes (as the roster last read them) or the catalog changed. */
  tick(): Promise<void> {
    this.running ??= this.beat().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async beat(): Promise<void> {
    const { roster, seeding, items } = this.options;
    const nodesChanged = roster.version !== this.applied;
    this.applied = roster.version;
    if (roster.failure && !this.failing)
      this.options.log?.(`cluster: heartbeat failed (${roster.failure.message}); keeping the last roster`);
    else if (!roster.failure && this.failing) this.options.log?.('cluster: Redis answers again');
    this.failing = roster.failure !== undefined;
    try {
      const change = await items.lastChange();
      const key = `${change.updatedAt}:${change.count}`;
      const due = Date.now() - this.lastFull >= FULL_PASS_MS;
      if (!nodesChanged && key === this.lastChange && !due) return;
      this.lastChange = key;
      this.lastFull = Date.now();
      if (nodesChanged) this.options.log?.(`cluster: live nodes ${roster.nodes().join(', ')}`);
      await seeding.rebalance();
      await seeding.derived.refresh(); // derivatives torrents follow their items' owners
    } catch (err) {
      this.options.log?.(`cluster: rebalance failed: ${(err as Error).message}`);
    }
  }

  /**
   * The tracker's allow check over this node's (`Seeding.allow`): a hash it does not hold is looked
   * up in the shared catalog; when an item has it, the item is tracked (and seeded, when this node
   * owns it) and the announce allowed.
   */
  allow(inner: AllowCheck): AllowCheck {
    return (infoHash) => {
      const known = inner(infoHash);
      if (known === true) return true;
      if (infoHash.byteLength !== 20) return known;
      const hex = infoHash.toString('hex'); // read now: the transport may reuse the buffer
      if (known !== false) return known.then((ok) => ok || this.unknownHash(hex));
      return this.unknownHash(hex);
    };
  }

  private unknownHash(hex: string): boolean | Promise<boolean> {
    const until = this.unknown.get(hex);
    if (until !== undefined && until > Date.now()) return false;
    let asked = this.asking.get(hex);
    if (!asked) {
      asked = this.lookup(hex).finally(() => this.asking.delete(hex));
      this.asking.set(hex, asked);
    }
    return asked;
  }

  private async lookup(hex: string): Promise<boolean> {
    const item = await this.options.items.byInfoHash(hex);
    if (!item || item.status === 'taken_down') {
      if (this.unknown.size >= MAX_REMEMBERED) this.unknown.clear();
      this.unknown.set(hex, Date.now() + NEGATIVE_MS);
      return false;
    }
    this.options.seeding.track(item.infoHash, item.infoHashV2);
    // Seeding may first read the pieces back: the announce does not wait for it.
    if (item.status === 'ready')
      this.options.seeding
        .seed(item)
        .catch((err) => this.options.log?.(`item ${item.id}: cannot seed: ${(err as Error).message}`));
    return true;
  }

  /** Stops the heartbeats (the composition root then closes the roster, leaving it). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }
}
