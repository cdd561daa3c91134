/**
 * Picking the peers of a memory-store answer (see `memory-store.ts`): up to `numwant` from the
 * requester's family, then the other, copied out of the swarm's `PeerTable`s, either into fresh
 * buffers or into a `ReusedAnswer` that transient (UDP) announces share, so that an announce makes
 * no garbage for its peer list.
 */

import type { PeerList } from '../service/types.js';
import type { PeerTable, PickOptions } from './peer-table.js';
import type { StoreAnnounce, StoreAnnounceResult } from './store.js';

export const EMPTY = Buffer.alloc(0);

interface Pick {
  n: number;
  addrs: Buffer;
  ids: Buffer;
}

/**
 * One store's answer to transient announces, rewritten by each: the result, its peer list, one
 * pick and one address buffer per family (so the other family's pick cannot overwrite the first),
 * and views of those buffers by length, made once.
 */
export class ReusedAnswer {
  readonly list: PeerList = { v4: EMPTY, v6: EMPTY };
  readonly result: StoreAnnounceResult = { complete: 0, incomplete: 0, downloaded: 0, peers: this.list };
  private readonly picks: Pick[] = [
    { n: 0, addrs: EMPTY, ids: EMPTY },
    { n: 0, addrs: EMPTY, ids: EMPTY },
  ];
  private readonly bytes: Buffer[] = [EMPTY, EMPTY];
  private readonly views: Buffer[][] = [[], []];

  /** Room for `length` bytes of addresses of one family (0: IPv4, 1: IPv6). */
  room(family: number, length: number): Buffer {
    if (this.bytes[family]!.length < length) {
      this.bytes[family] = Buffer.allocUnsafe(Math.max(length, 256 * 18));
      this.views[family] = [];
    }
    return this.bytes[family]!;
  }

  /** The pick of `n` addresses of `entry` bytes written into `room(family)`. */
  pick(family: number, n: number, entry: number): Pick {
    const length = n * entry;
    const byLength = this.views[family]!;
    let view = byLength[length];
    if (!view) {
      view = this.bytes[family]!.subarray(0, length);
      byLength[length] = view;
    }
    const p = this.picks[family]!;
    p.n = n;
    p.addrs = view;
    return p;
  }
}

const EMPTY_PICK: Pick = { n: 0, addrs: EMPTY, ids: EMPTY };
let scratchAddrs = Buffer.allocUnsafe(0);
/** Reused for every pick (announces are handled one at a time): no allocation per announce. */
const PICK_OPTIONS: PickOptions = { max: 0, exclude: -1, skipSeeders: false, minSeen: 0, ids: undefined };
let scratchIds = Buffer.allocUnsafe(0);

/** Up to `numwant` peers: the requester's family first, then (with `otherFamily`) the other one. */
export function pickPeers(
  table: PeerTable,
  other: PeerTable | null,
  input: StoreAnnounce,
  exclude: number,
  minSeen: number,
  into?: ReusedAnswer,
): PeerList {
  const own = pickFrom(table, input.numwant, exclude, input, minSeen, into);
  const rest =
    input.otherFamily && other !== null && input.numwant > own.n
      ? pickFrom(other, input.numwant - own.n, -1, input, minSeen, into)
      : EMPTY_PICK;
  const v4First = table.addrLength === 4;
  const p4 = v4First ? own : rest;
  const p6 = v4First ? rest : own;
  if (into) {
    into.list.v4 = p4.addrs;
    into.list.v6 = p6.addrs;
    return into.list;
  }
  if (!input.wantPeerIds) return { v4: p4.addrs, v6: p6.addrs };
  return { v4: p4.addrs, v6: p6.addrs, ids4: p4.ids, ids6: p6.ids };
}

/**
 * Picks into scratch space, then copies out exactly what was picked (one allocation); or, `into` a
 * reused answer, picks into its memory and copies nothing (no ids then).
 */
function pickFrom(
  table: PeerTable,
  max: number,
  exclude: number,
  input: StoreAnnounce,
  minSeen: number,
  into?: ReusedAnswer,
): Pick {
  const limit = Math.min(max, table.count);
  if (limit <= 0) return EMPTY_PICK;
  const entry = table.addrLength + 2;
  const wantIds = into === undefined && input.wantPeerIds;
  if (wantIds && scratchIds.length < limit * 20) scratchIds = Buffer.allocUnsafe(limit * 20);
  const options = PICK_OPTIONS;
  options.max = limit;
  options.exclude = exclude;
  options.skipSeeders = input.seeder && input.seedersToo !== true;
  options.minSeen = minSeen;
  options.ids = wantIds ? scratchIds : undefined;
  if (into) {
    const family = entry === 6 ? 0 : 1;
    const n = table.pick(into.room(family, limit * entry), 0, options);
    return n === 0 ? EMPTY_PICK : into.pick(family, n, entry);
  }
  if (scratchAddrs.length < limit * entry) scratchAddrs = Buffer.allocUnsafe(limit * 18);
  const n = table.pick(scratchAddrs, 0, options);
  if (n === 0) return EMPTY_PICK;
  const addrs = Buffer.allocUnsafe(n * entry);
  for (let k = 0; k < n * entry; k++) addrs[k] = scratchAddrs[k]!;
  return { n, addrs, ids: wantIds ? Buffer.from(scratchIds.subarray(0, n * 20)) : EMPTY };
}
