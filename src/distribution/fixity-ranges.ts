/**
 * Which bytes of an item's files are damaged (issue 22, fixity): the damaged pieces of its torrent
 * (BEP 3 piece space, BEP 47 padding, BEP 52 per-file pieces) as byte ranges of each file's blob, so
 * the file routes can refuse a range over them (503, `Retry-After`) instead of sending bytes that
 * fail their hash, while every other range is served as usual.
 */

import { PieceMap } from '../engine/index.js';
import type { Metainfo } from '../torrent/index.js';

/** Byte ranges [start, end) of each blob key that damaged pieces cover. */
export type DamagedRanges = Map<string, [number, number][]>;

/** The ranges `pieces` cover in each file's blob (`keys`: blob keys in torrent order, padding left out). */
export function damagedRanges(
  meta: Metainfo,
  keys: readonly (string | null | undefined)[],
  pieces: readonly number[],
): DamagedRanges {
  const map = new PieceMap(meta);
  const keyOfFile: (string | undefined)[] = [];
  let next = 0;
  for (const f of meta.files) keyOfFile.push(f.padding ? undefined : (keys[next++] ?? undefined));
  const out: DamagedRanges = new Map();
  for (const index of pieces) {
    if (!Number.isInteger(index) || index < 0 || index >= meta.pieceCount) continue;
    const { offset, length } = map.piece(index);
    for (const seg of map.segments(offset, length)) {
      const key = keyOfFile[seg.file];
      if (key === undefined) continue;
      const list = out.get(key) ?? [];
      list.push([seg.fileOffset, seg.fileOffset + seg.length]);
      out.set(key, list);
    }
  }
  return out;
}

/** True when [offset, offset + length) of blob `key` overlaps a damaged range. */
export function overlapsDamage(
  ranges: DamagedRanges | undefined,
  key: string,
  offset: number,
  length: number,
): boolean {
  const list = ranges?.get(key);
  if (!list || length <= 0) return false;
  return list.some(([start, end]) => start < offset + length && offset < end);
}

/** `pieces` in runs of at most `maxBytes` of pieces (at least one piece each): a repair's batches. */
export function batches(pieces: readonly number[], pieceLength: number, maxBytes: number): number[][] {
  const per = Math.max(1, Math.floor(maxBytes / pieceLength));
  const out: number[][] = [];
  for (let i = 0; i < pieces.length; i += per) out.push(pieces.slice(i, i + per));
  return out;
}
