/**
 * The item page's P2P player (bundled to `/static/player.js`): when P2P is on for this viewer and
 * the browser can (a secure context with service workers and `RTCPeerConnection`), the `<video>` or
 * `<audio>` in `#player` streams the chosen source from its swarm (`swarm.ts`: the item's torrent, or
 * its derivatives torrent for a derivative) through the service worker
 * (`stream.ts`, `sw.ts`), with the web seed as fallback; otherwise it stays the plain HTTP player and
 * no `RTCPeerConnection` is ever made. The viewer's choice (COMMON interface 5): `#player[data-p2p]`
 * (the server's resolution), `data-p2p-forced="1"` (`?p2p=0`: off whatever else), else
 * `localStorage['seedcast.p2p']` (`on`/`off`) wins; the `seedcast:p2p` event (`detail.on`) switches
 * live. Beside the player, `#p2p-stats` shows the peer count and the share of bytes from peers.
 */

import { decodeDescription } from './description.js';
import type { Chooser, Source } from './sources.js';
import { startReporting } from './stats.js';
import { controlledBy, serveStreams } from './stream.js';
import { Swarm } from './swarm.js';

interface Running {
  swarm: Swarm;
  /** The source it streams. */
  source: Source;
  torrent: 'original' | 'derivatives';
  stop(): void;
}

/** What to stream for a source: which torrent, and how to find its file in the description. */
interface Target {
  torrent: 'original' | 'derivatives';
  source: Source;
  /** The original's file index (`#player[data-file-index]`). */
  fileIndex?: number;
}

function choice(container: HTMLElement): boolean {
  if (container.dataset.p2pForced === '1') return false;
  let stored: string | null = null;
  try {
    stored = localStorage.getItem('seedcast.p2p');
  } catch {
    // storage blocked: the server's resolution stands
  }
  if (stored === 'on' || stored === 'off') return stored === 'on';
  return container.dataset.p2p !== 'off';
}

function capable(): boolean {
  return isSecureContext && 'serviceWorker' in navigator && typeof RTCPeerConnection === 'function';
}

async function startP2p(
  media: HTMLMediaElement,
  itemId: string,
  target: Target,
  options: { label: HTMLElement | null; wanted(): boolean },
): Promise<Running | undefined> {
  const { label } = options;
  const id = encodeURIComponent(itemId);
  const query = target.torrent === 'derivatives' ? '?torrent=derivatives' : '';
  const response = await fetch(`/api/v1/items/${id}/p2p${query}`, { cache: 'no-store' });
  if (!response.ok) return undefined;
  const torrent = decodeDescription(await response.json());
  // a derivative is the description's file named by the source's address (`/items/:id/derivatives/<file>`)
  const derived = /^\/items\/\d+\/derivatives\/([^/]+)$/.exec(
    new URL(target.source.url, location.href).pathname,
  );
  const name = derived ? decodeURIComponent(derived[1]!) : undefined;
  const fileIndex =
    target.torrent === 'derivatives'
      ? torrent.files.findIndex((f) => name !== undefined && f.path === name)
      : (target.fileIndex ?? -1);
  const file = torrent.files[fileIndex];
  if (torrent.trackers.length === 0 || !file) return undefined;
  if (!(await controlledBy('/p2p-sw.js')) || !options.wanted()) return undefined;
  const swarm = new Swarm(torrent, { onWarning: (m) => console.debug('[p2p]', m) });
  swarm.start();
  const contentType = target.source.type.split(';')[0]!.trim() || 'application/octet-stream';
  const stopStreams = serveStreams(swarm, itemId, { contentType, torrent: target.torrent });
  const show = () => {
    if (!label) return;
    label.hidden = false;
    label.textContent = swarm.stats.label();
  };
  const stopReports = startReporting(swarm.stats, itemId, show);
  const onHide = () => swarm.stop();
  addEventListener('pagehide', onHide);
  swap(
    media,
    target.torrent === 'derivatives'
      ? `/p2p-stream/${id}/derivatives/${encodeURIComponent(file.path)}`
      : `/p2p-stream/${id}/${fileIndex}`,
  );
  return {
    swarm,
    source: target.source,
    torrent: target.torrent,
    stop() {
      removeEventListener('pagehide', onHide);
      stopReports();
      stopStreams();
      swarm.stop();
      if (label) label.hidden = true;
    },
  };
}

/** Points the element at `url`, keeping its position and whether it was playing. */
function swap(media: HTMLMediaElement, url: string): void {
  const at = media.currentTime;
  const playing = !media.paused;
  for (const source of Array.from(media.querySelectorAll('source'))) source.remove();
  media.src = url;
  if (at > 0) media.currentTime = at;
  if (playing) void media.play().catch(() => undefined);
}

/**
 * Starts the P2P player on this page, if it has one; nothing happens at import. It streams the source
 * the chooser (`sources.ts`) plays: the original from the item's swarm, a derivative from the swarm
 * of the item's derivatives torrent (issue 18); when the viewer (or a failure) switches source, the
 * old swarm stops and the new one starts. A source no swarm has (no derivatives torrent yet) plays
 * over HTTP.
 */
export function main(chooser: Chooser | undefined): void {
  const container = document.getElementById('player');
  const media = container?.querySelector<HTMLMediaElement>('video, audio');
  const itemId = container?.closest<HTMLElement>('[data-item-id]')?.dataset.itemId;
  if (!container || !media || !itemId || !chooser || chooser.playable().length === 0) return;
  const fileIndex =
    container.dataset.fileIndex === undefined ? undefined : Number(container.dataset.fileIndex);
  const label = document.getElementById('p2p-stats');
  let running: Running | undefined;
  let starting = false;
  /** The viewer's choice as last applied. */
  let wantOn = choice(container);
  const state = {
    get swarm() {
      return running?.swarm;
    },
    /** Which torrent the swarm is: `original` or `derivatives` (undefined: plain HTTP). */
    get torrent() {
      return running?.torrent;
    },
  };
  (window as unknown as { seedcastPlayer: unknown }).seedcastPlayer = state;
  const targetOf = (source: Source | undefined): Target | undefined => {
    if (!source) return undefined;
    if (source.origin === 'derivative') return { torrent: 'derivatives', source };
    return fileIndex === undefined ? undefined : { torrent: 'original', source, fileIndex };
  };

  const stop = (swapBack: boolean) => {
    if (!running) return;
    running.stop();
    running = undefined;
    delete container.dataset.p2pActive;
    delete container.dataset.p2pTorrent;
    const now = chooser.current();
    if (swapBack && now) swap(media, now.url);
  };
  const apply = async (on: boolean): Promise<void> => {
    wantOn = on;
    const want = on ? chooser.current() : undefined;
    if (running && running.source !== want) stop(!on);
    const target = targetOf(want);
    if (running || starting) return;
    if (!target || !capable()) {
      if (media.preload === 'none') media.preload = 'metadata';
      return;
    }
    starting = true;
    // the viewer may switch source (or P2P off) while the swarm is starting
    const wanted = () => wantOn && chooser.current() === target.source;
    try {
      running = await startP2p(media, itemId, target, { label, wanted });
    } catch (err) {
      console.debug('[p2p] not started:', err);
    } finally {
      starting = false;
    }
    if (running) {
      container.dataset.p2pActive = '1';
      container.dataset.p2pTorrent = running.torrent;
    } else if (media.preload === 'none') media.preload = 'metadata';
    if (!wanted()) void apply(wantOn);
  };
  void apply(wantOn);
  document.addEventListener('seedcast:p2p', (event) => {
    const detail = (event as CustomEvent<{ on?: unknown }>).detail;
    if (container.dataset.p2pForced === '1') return;
    void apply(detail?.on === true);
  });
  container.addEventListener('seedcast:source', () => {
    // the chooser already pointed the element at the new source
    if (running && running.source !== chooser.current()) stop(false);
    if (wantOn) void apply(true);
  });
}
