/**
 * Drives one BEP 19 web seed for a session: asks the picker for blocks as if the web seed were a
 * peer that has every piece, fetches them as one `Range` request per run of consecutive blocks, and
 * hands them to the session like blocks from a peer (so they are verified the same way). Failures
 * release every block the worker holds (the peers may take them meanwhile, or a site's peer that
 * the web seed defers to could never finish the pieces it offers) and back off exponentially (1 s
 * doubling to 60 s), or as long as a 503/429 answer's `Retry-After` asks. When the torrent has
 * trackers or known peers the first request waits `graceMs` (default 3 s), so a swarm (whose peers
 * may include the web seed's own site, which then defers to its peer) gets the first chance and the
 * web seed is the fallback. Under the session's outbound policy a web seed that is not trusted is
 * fetched only from allowed addresses. The session handles a block's store errors itself (`onBlock`
 * never throws).
 */

import { SeedcastError } from '../errors.js';
import type { OutboundPolicy } from '../net/index.js';
import type { Metainfo } from '../torrent/index.js';
import type { BlockRequest } from './picker.js';
import type { PieceMap } from './piece-map.js';
import { WebSeed } from './web-seed.js';

/** What a web seed worker is given by its session (the download part's side of it). */
export interface WebSeedHost {
  readonly meta: Metainfo;
  readonly map: PieceMap;
  /** The outbound policy for this URL (none for a trusted web seed or without a policy). */
  policyFor(url: string): OutboundPolicy | undefined;
  /** True once the torrent is complete: the worker stops asking. */
  done(): boolean;
  /** Blocks for the worker, as if it were a peer with every piece. */
  pick(worker: WebSeedWorker, max: number): BlockRequest[];
  /** A block the worker took and gives back. */
  release(worker: WebSeedWorker, block: BlockRequest): void;
  /** A block fetched; never throws (the session handles its store errors). */
  receive(worker: WebSeedWorker, index: number, begin: number, block: Uint8Array): Promise<void>;
  warn(message: string): void;
  /** An error that is not the web seed's own: the session fails. */
  fail(reason: Error): void;
}

const BLOCKS_PER_REQUEST = 64; // 1 MiB
const PARALLEL = 2;
export const WEB_SEED_GRACE_MS = 3000;

export class WebSeedWorker {
  private readonly seed: WebSeed;
  private running = false;
  private failures = 0;
  private readonly abort = new AbortController();

  constructor(
    private readonly host: WebSeedHost,
    readonly url: string,
    private readonly graceMs = 0,
  ) {
    this.seed = new WebSeed(url, { meta: host.meta, map: host.map }, { policy: host.policyFor(url) });
  }

  get downloaded(): number {
    return this.seed.downloaded;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    for (let i = 0; i < PARALLEL; i++) {
      // The loop handles the web seed's failures; anything else is the session's (it fails).
      this.loop().catch((err: Error) => {
        if (this.running) this.host.fail(err);
      });
    }
  }

  stop(): void {
    this.running = false;
    this.abort.abort();
  }

  private async loop(): Promise<void> {
    if (this.graceMs > 0) await sleep(this.graceMs);
    while (this.running && !this.host.done()) {
      const blocks = this.host.pick(this, BLOCKS_PER_REQUEST);
      if (blocks.length === 0) {
        await sleep(500);
        continue;
      }
      // Runs of consecutive blocks of one piece become one request.
      const runs: (typeof blocks)[] = [];
      for (const b of blocks) {
        const run = runs[runs.length - 1];
        const last = run?.[run.length - 1];
        if (run && last && last.index === b.index && last.begin + last.length === b.begin) run.push(b);
        else runs.push([b]);
      }
      for (const [r, run] of runs.entries()) {
        const first = run[0]!;
        const start = this.host.map.piece(first.index).offset + first.begin;
        const length = run.reduce((s, b) => s + b.length, 0);
        try {
          const data = await this.seed.read(start, length, this.abort.signal);
          this.failures = 0;
          let at = 0;
          for (const b of run) {
            await this.host.receive(this, b.index, b.begin, data.subarray(at, at + b.length));
            at += b.length;
          }
        } catch (err) {
          // Every block still held goes back, not only this run's: a web seed that asks to wait
          // (503 + Retry-After) must not keep the peers from blocks they could bring meanwhile.
          for (const b of runs.slice(r).flat()) this.host.release(this, b);
          if (!this.running) return;
          if (err instanceof SeedcastError && err.code === 'OUTBOUND_REFUSED') {
            // Refused by the outbound policy: it will not become allowed, so stop asking.
            this.running = false;
            this.host.warn(`web seed ${this.url} not used: ${err.message}`);
            return;
          }
          this.failures++;
          this.host.warn(`web seed ${this.url}: ${(err as Error).message}`);
          const backoff = Math.min(60_000, 1000 * 2 ** (this.failures - 1));
          await sleep(Math.max(backoff, this.seed.retryAt - Date.now()));
          break;
        }
      }
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
