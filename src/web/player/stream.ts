/**
 * The page side of streaming through the service worker (`sw.ts`): registers it (`/p2p-sw.js`,
 * scope `/items/`), waits until it controls the page, and answers its requests for a file's bytes
 * from the swarm of the torrent it streams (the item's, or its derivatives torrent's: a request for
 * the other torrent is left to the page's other listener, if any): the head (`{length, contentType}`), then one chunk (at most 256 KiB, never past a
 * piece) per pull, waiting for each piece (which sets the swarm's focus: what the element reads is
 * what is urgent).
 */

import type { Swarm } from './swarm.js';

const CHUNK = 256 * 1024;

/** Registers the service worker; resolves true once it controls this page (false after 10 s). */
export async function controlledBy(scriptUrl: string): Promise<boolean> {
  const container = navigator.serviceWorker;
  await container.register(scriptUrl, { scope: '/items/' });
  if (container.controller) return true;
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(container.controller !== null), 10_000);
    container.addEventListener(
      'controllerchange',
      () => {
        clearTimeout(timer);
        resolve(true);
      },
      { once: true },
    );
  });
}

interface StreamRequest {
  type: 'seedcast-stream';
  itemId: string;
  /** Absent from an older worker's requests: the original. */
  torrent?: 'original' | 'derivatives';
  fileIndex?: number;
  /** A derivative's file name (`torrent: 'derivatives'`). */
  file?: string;
  start: number;
  end?: number;
}

export interface StreamOptions {
  /** The `Content-Type` the worker answers with. */
  contentType: string;
  /** Which of the item's torrents `swarm` is. */
  torrent: 'original' | 'derivatives';
}

/** Answers the service worker's stream requests for `itemId` from `swarm`; returns a stop function. */
export function serveStreams(swarm: Swarm, itemId: string, options: StreamOptions): () => void {
  const { contentType } = options;
  const open = new Set<MessagePort>();
  const onMessage = (event: MessageEvent) => {
    const req = event.data as StreamRequest;
    const port = event.ports[0];
    if (req?.type !== 'seedcast-stream' || req.itemId !== itemId || !port) return;
    if ((req.torrent ?? 'original') !== options.torrent) return;
    const file =
      options.torrent === 'derivatives'
        ? swarm.torrent.files.find((f) => f.path === req.file)
        : swarm.torrent.files[req.fileIndex ?? -1];
    if (!file) {
      port.postMessage({ error: 'no such file' });
      return;
    }
    open.add(port);
    const end = Math.min(req.end ?? file.length - 1, file.length - 1);
    let pos = req.start;
    port.postMessage({ length: file.length, contentType });
    port.onmessage = async (m) => {
      const data = m.data as { pull?: boolean; cancel?: boolean };
      if (data.cancel) {
        open.delete(port);
        port.close();
        return;
      }
      if (pos > end) {
        port.postMessage({ done: true });
        open.delete(port);
        return;
      }
      const at = file.offset + pos;
      const index = Math.floor(at / swarm.torrent.pieceLength);
      try {
        const piece = await swarm.piece(index);
        const from = at - index * swarm.torrent.pieceLength;
        const n = Math.min(CHUNK, piece.length - from, end - pos + 1);
        const chunk = piece.slice(from, from + n);
        pos += n;
        port.postMessage({ chunk }, [chunk.buffer]);
      } catch (err) {
        port.postMessage({ error: String(err) });
      }
    };
  };
  navigator.serviceWorker.addEventListener('message', onMessage);
  navigator.serviceWorker.startMessages();
  return () => {
    navigator.serviceWorker.removeEventListener('message', onMessage);
    for (const port of open) {
      port.postMessage({ error: 'stopped' });
      port.close();
    }
  };
}
