/**
 * The damage the site's seeding sessions find in storage (issue 22): pieces that failed their BEP 3
 * / BEP 52 hash when a trusted session first served them (`engine/session-trusted.ts`), or at a
 * `--recheck` start. Kept per item (the item API's `damaged`), logged, and handed to the listeners
 * (fixity, `fixity.ts`: recorded as a pass's findings are and repaired from the swarm), each piece
 * once: pieces already known at start (the fixity table's, `known`) are not reported again.
 */

export type DamageListener = (itemId: number, pieces: number[]) => void;

export class SeedingDamage {
  private readonly byItem = new Map<number, number[]>();
  private readonly listeners: DamageListener[] = [];

  constructor(private readonly log: () => (message: string) => void) {}

  /** `listener` hears of every piece found damaged from now on. */
  onDamaged(listener: DamageListener): void {
    this.listeners.push(listener);
  }

  /** The item's damaged pieces (a copy; empty when intact or unknown). */
  of(itemId: number): number[] {
    return [...(this.byItem.get(itemId) ?? [])];
  }

  /**
   * The session now lists `damaged` (all its damaged pieces, in order): kept and logged; those not
   * known before (neither listed earlier nor in `known`) go to the listeners.
   */
  note(itemId: number, damaged: readonly number[], pieceCount: number, known: readonly number[] = []): void {
    const before = new Set([...(this.byItem.get(itemId) ?? []), ...known]);
    if (damaged.length === 0) {
      this.byItem.delete(itemId);
      return;
    }
    this.byItem.set(itemId, [...damaged]);
    this.log()(
      `item ${itemId}: ${damaged.length} of ${pieceCount} pieces damaged in storage (first: ${damaged[0]}); seeding the intact pieces only`,
    );
    const fresh = damaged.filter((i) => !before.has(i));
    if (fresh.length > 0) for (const listener of this.listeners) listener(itemId, fresh);
  }

  /** These pieces are whole again (a repair wrote them back). */
  repaired(itemId: number, pieces: readonly number[]): void {
    const left = this.of(itemId).filter((i) => !pieces.includes(i));
    if (left.length > 0) this.byItem.set(itemId, left);
    else this.byItem.delete(itemId);
  }

  /** The item is no longer seeded here. */
  forget(itemId: number): void {
    this.byItem.delete(itemId);
  }
}
