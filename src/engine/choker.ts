/**
 * The choking algorithm (BEP 3's tit-for-tat, as the BitTorrent paper and libtorrent describe it).
 *
 * Every round (10 s) while downloading: unchoke the interested peers that upload to us fastest, up
 * to `slots - 1`, plus one optimistic unchoke that rotates every third round to a random interested
 * peer, so newcomers get a chance to show what they can give. While seeding nothing comes back, so
 * slots go round-robin: the peers unchoked longest are choked first, letting everyone get a turn.
 * Pure: takes a snapshot of the peers and returns whom to unchoke.
 */

/**
 * Upload slots when the session sets none: libtorrent's `unchoke_slots_limit` (8). Four left each
 * downloader of a 20-peer swarm unchoked by four or five of its 19 peers, with pieces waiting at the
 * others (issue 22).
 */
export const DEFAULT_UPLOAD_SLOTS = 8;

export interface ChokeCandidate {
  key: unknown;
  interested: boolean;
  /** Bytes per second the peer sent us over the last rounds. */
  downloadRate: number;
  /** Whether we unchoke it now. */
  unchoked: boolean;
  /** When we last unchoked the peer (ms; kept after choking it), undefined if never. */
  lastUnchokedAt: number | undefined;
}

export interface ChokeRound {
  peers: readonly ChokeCandidate[];
  seeding: boolean;
  /** How many peers may be unchoked at once (default `DEFAULT_UPLOAD_SLOTS`). */
  slots?: number;
  /** The current optimistic unchoke, kept until `rotateOptimistic`. */
  optimistic?: unknown;
  rotateOptimistic: boolean;
  now: number;
  random?: () => number;
}

export interface ChokeDecision {
  unchoke: Set<unknown>;
  optimistic: unknown;
}

export function chokeRound(round: ChokeRound): ChokeDecision {
  const slots = Math.max(1, round.slots ?? DEFAULT_UPLOAD_SLOTS);
  const random = round.random ?? Math.random;
  const interested = round.peers.filter((p) => p.interested);
  const unchoke = new Set<unknown>();
  if (round.seeding) {
    // Round-robin: keep the most recently unchoked for another round, then give the remaining
    // slots to the peers that have waited longest since their last turn (never-unchoked first).
    const current = interested
      .filter((p) => p.unchoked)
      .sort((a, b) => (b.lastUnchokedAt ?? 0) - (a.lastUnchokedAt ?? 0));
    for (const p of current.slice(0, slots - 1)) unchoke.add(p.key);
    const waiting = interested
      .filter((p) => !unchoke.has(p.key))
      .sort(
        (a, b) =>
          (a.lastUnchokedAt ?? Number.NEGATIVE_INFINITY) - (b.lastUnchokedAt ?? Number.NEGATIVE_INFINITY),
      );
    for (const p of waiting) {
      if (unchoke.size >= slots) break;
      unchoke.add(p.key);
    }
    return { unchoke, optimistic: undefined };
  }
  const byRate = [...interested].sort((a, b) => b.downloadRate - a.downloadRate);
  for (const p of byRate.slice(0, slots - 1)) unchoke.add(p.key);
  let optimistic = round.optimistic;
  const stillValid = interested.some((p) => p.key === optimistic) && !unchoke.has(optimistic);
  if (round.rotateOptimistic || !stillValid) {
    const choices = interested.filter((p) => !unchoke.has(p.key));
    optimistic = choices.length > 0 ? choices[Math.floor(random() * choices.length)]!.key : undefined;
  }
  if (optimistic !== undefined) unchoke.add(optimistic);
  return { unchoke, optimistic };
}
