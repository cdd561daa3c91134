/**
 * The player's counters: bytes from peers, from the web seed, to peers, and the live peer count;
 * the figures shown beside the player (`aria-live` polite) and the browser report (the beacon,
 * `POST /api/v1/items/:id/p2p-report` `{ fromPeers, fromWebSeed, toPeers }`: bytes since the last
 * report) sent every 10 s and on `pagehide` with `navigator.sendBeacon`.
 */

export class Stats {
  fromPeers = 0;
  fromWebSeed = 0;
  toPeers = 0;
  peers = 0;
  private reported = { fromPeers: 0, fromWebSeed: 0, toPeers: 0 };

  /** Share of the bytes received that came from peers, 0..1. */
  get peerShare(): number {
    const total = this.fromPeers + this.fromWebSeed;
    return total === 0 ? 0 : this.fromPeers / total;
  }

  /** The text beside the player. */
  label(): string {
    const share = Math.round(this.peerShare * 100);
    return `P2P: ${this.peers} ${this.peers === 1 ? 'peer' : 'peers'} · ${share}% from peers`;
  }

  /** What happened since the last report, or undefined when nothing did. */
  takeReport(): { fromPeers: number; fromWebSeed: number; toPeers: number } | undefined {
    const now = { fromPeers: this.fromPeers, fromWebSeed: this.fromWebSeed, toPeers: this.toPeers };
    const delta = {
      fromPeers: now.fromPeers - this.reported.fromPeers,
      fromWebSeed: now.fromWebSeed - this.reported.fromWebSeed,
      toPeers: now.toPeers - this.reported.toPeers,
    };
    if (delta.fromPeers + delta.fromWebSeed + delta.toPeers === 0) return undefined;
    this.reported = now;
    return delta;
  }
}

/** Sends the report of `stats` for item `itemId` every 10 s and on `pagehide`; returns a stop function. */
export function startReporting(stats: Stats, itemId: string, onTick: () => void): () => void {
  const send = () => {
    const report = stats.takeReport();
    if (!report) return;
    const body = new Blob([JSON.stringify(report)], { type: 'application/json' });
    navigator.sendBeacon(`/api/v1/items/${encodeURIComponent(itemId)}/p2p-report`, body);
  };
  const ui = setInterval(onTick, 1000);
  const timer = setInterval(send, 10_000);
  addEventListener('pagehide', send);
  return () => {
    send();
    clearInterval(timer);
    clearInterval(ui);
    removeEventListener('pagehide', send);
  };
}
