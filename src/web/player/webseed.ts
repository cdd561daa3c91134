/**
 * The web seed (BEP 19) as the player's fallback: one piece fetched with HTTP `Range` requests
 * (`bytes=a-b`, one per file the piece overlaps; gaps between listed files are BEP 47 padding,
 * zeros), each carrying `X-Seedcast-Player: p2p` so the site counts it as web-seed traffic and never
 * defers it. Any answer but a 206 (or a 200 with exactly the asked bytes) of the right length fails.
 */

import type { Torrent } from './description.js';
import { pieceSize } from './pieces.js';

export async function fetchPiece(torrent: Torrent, index: number, signal?: AbortSignal): Promise<Uint8Array> {
  const start = index * torrent.pieceLength;
  const size = pieceSize(torrent, index);
  const out = new Uint8Array(size);
  for (const file of torrent.files) {
    const from = Math.max(start, file.offset);
    const to = Math.min(start + size, file.offset + file.length);
    if (from >= to) continue;
    const a = from - file.offset;
    const b = to - file.offset - 1;
    const response = await fetch(file.url, {
      headers: { Range: `bytes=${a}-${b}`, 'X-Seedcast-Player': 'p2p' },
      cache: 'no-store',
      ...(signal ? { signal } : {}),
    });
    const whole = response.status === 200 && a === 0 && b === file.length - 1;
    if (response.status !== 206 && !whole) throw new Error(`web seed answered ${response.status}`);
    const body = new Uint8Array(await response.arrayBuffer());
    if (body.length !== to - from)
      throw new Error(`web seed sent ${body.length} bytes, expected ${to - from}`);
    out.set(body, from - start);
  }
  return out;
}
